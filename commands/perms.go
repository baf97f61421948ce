package commands

import (
	"context"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// ModeratorPermissions are the permissions that make a member a moderator
// for /reindex: Manage Server, or Administrator (which implies it).
const ModeratorPermissions = discordgo.PermissionManageGuild | discordgo.PermissionAdministrator

// Why /reindex is refused.
const (
	RefusedInDM       = "/reindex works in a server, not in direct messages."
	RefusedNotAllowed = "Only moderators can /reindex: you need the Manage Server permission or a moderator role."
)

// MayReindex reports whether the member who sent in may run /reindex, and
// if not, why. Discord hides the command from members without Manage Server
// (default_member_permissions), but server admins can override that, so the
// bot checks again: the member's permissions in the channel (which Discord
// computes, Administrator included) or one of moderatorRoles. Never in a DM.
func MayReindex(in *discordgo.Interaction, moderatorRoles []string) (bool, string) {
	if in.GuildID == "" || in.Member == nil {
		return false, RefusedInDM
	}
	if in.Member.Permissions&ModeratorPermissions != 0 {
		return true, ""
	}
	for _, role := range in.Member.Roles {
		if slices.Contains(moderatorRoles, role) {
			return true, ""
		}
	}
	return false, RefusedNotAllowed
}

// RequireModeratorIn is RequireModerator with the moderator roles of the
// server the command comes from, read at each use: a change of /settings
// applies at once.
func RequireModeratorIn(roles func(ctx context.Context, guildID string) []string) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, r *Request) error {
			return RequireModerator(roles(ctx, r.Interaction.GuildID))(next).Handle(ctx, r)
		})
	}
}

// RequireModerator refuses, privately, members who may not run the command.
func RequireModerator(moderatorRoles []string) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, r *Request) error {
			if ok, why := MayReindex(r.Interaction, moderatorRoles); !ok {
				if why == RefusedNotAllowed && r.Command != "" && r.Command != "reindex" {
					why = strings.Replace(why, "/reindex", "use /"+strings.Fields(r.Command)[0], 1)
				}
				r.Outcome = "forbidden"
				r.Respond.makePrivate()
				return r.Respond.SendText(ctx, why)
			}
			return next.Handle(ctx, r)
		})
	}
}
