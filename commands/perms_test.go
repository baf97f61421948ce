package commands

import (
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestMayReindex(t *testing.T) {
	const guild = "800000000000000001"
	member := func(perms int64, roles ...string) *discordgo.Member {
		return &discordgo.Member{User: &discordgo.User{ID: "1"}, Permissions: perms, Roles: roles}
	}
	ordinary := int64(discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionManageMessages)
	tests := []struct {
		name    string
		guildID string
		member  *discordgo.Member
		roles   []string
		want    bool
		why     string
	}{
		{"DM", "", nil, nil, false, RefusedInDM},
		{"DM even with a user that has roles configured", "", nil, []string{"42"}, false, RefusedInDM},
		{"guild without member data", guild, nil, nil, false, RefusedInDM},
		{"ordinary member", guild, member(ordinary), nil, false, RefusedNotAllowed},
		{"no permissions at all", guild, member(0), nil, false, RefusedNotAllowed},
		{"Manage Server", guild, member(ordinary | discordgo.PermissionManageGuild), nil, true, ""},
		{"Manage Server alone", guild, member(discordgo.PermissionManageGuild), nil, true, ""},
		{"Administrator", guild, member(discordgo.PermissionAdministrator), nil, true, ""},
		{"moderator role", guild, member(ordinary, "7", "42"), []string{"42"}, true, ""},
		{"other role", guild, member(ordinary, "7"), []string{"42"}, false, RefusedNotAllowed},
		{"Manage Messages is not enough", guild, member(discordgo.PermissionManageMessages | discordgo.PermissionManageChannels), nil, false, RefusedNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &discordgo.Interaction{GuildID: tt.guildID, Member: tt.member}
			if tt.member == nil && tt.guildID == "" {
				in.User = &discordgo.User{ID: "1"}
			}
			got, why := MayReindex(in, tt.roles)
			if got != tt.want || why != tt.why {
				t.Errorf("MayReindex = %v, %q; want %v, %q", got, why, tt.want, tt.why)
			}
		})
	}
}

func TestReindexSpecHidesFromNonModerators(t *testing.T) {
	spec := reindexSpec()
	if spec.DefaultMemberPermissions == nil || *spec.DefaultMemberPermissions != discordgo.PermissionManageGuild {
		t.Errorf("default_member_permissions = %v; want Manage Server (32)", spec.DefaultMemberPermissions)
	}
	if spec.Contexts == nil || len(*spec.Contexts) != 1 || (*spec.Contexts)[0] != discordgo.InteractionContextGuild {
		t.Errorf("contexts = %v; want servers only", spec.Contexts)
	}
}
