package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/bytewatch/bytewatch/answer/llm"
	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/commands"
)

// runBot serves the Discord bot until ctx ends (SIGINT or SIGTERM): the
// same answering path as ask, reached through slash commands, mentions,
// replies, DMs and answer channels.
func runBot(ctx context.Context, args []string, env Env) error {
	f := newFlags("run")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("run takes no arguments, got %q", joinArgs(pos))}
	}
	cfg, err := f.config(env)
	if err != nil {
		return err
	}
	if cfg.DiscordToken == "" {
		return errors.New("DISCORD_TOKEN is not set: create a bot in the Discord developer portal and put its token in .env (see README, Discord)")
	}
	log := newLogger(cfg, env.Stderr)
	eng, ix, err := buildEngine(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer ix.Close()
	// A bad key or an unknown model stops the bot before it goes online; an
	// unreachable server only warns, since answers fall back to extractive.
	if err := checkLLM(ctx, cfg, log); err != nil {
		if !errors.Is(err, llm.ErrUnavailable) {
			return err
		}
		log.Warn("the LLM is unreachable; answering extractively until it is back", "error", err)
	}
	model := ""
	if cfg.LLMEnabled() {
		model = cfg.OpenAIModel
	}
	return bot.Run(ctx, bot.Options{
		Token:              cfg.DiscordToken,
		APIBaseURL:         cfg.DiscordAPIBaseURL,
		GuildID:            cfg.DiscordGuildID,
		AnswerChannelIDs:   cfg.AnswerChannelIDs,
		ModeratorRoleIDs:   cfg.ModeratorRoleIDs,
		RateLimitPerMinute: cfg.RateLimitPerMinute,
		Answerer:           eng,
		Reindexer:          commands.Reloader{Dir: cfg.KnowledgeDir, Index: ix},
		Index:              ix,
		Version:            Version(),
		Model:              model,
		Logger:             log,
		OnReady: func(r bot.Ready) {
			where := "globally (they can take up to an hour to appear)"
			if r.GuildID != "" {
				where = "in server " + r.GuildID
			}
			fmt.Fprintf(env.Stdout, "bytewatch %s is online as %s; %d slash commands registered %s.\nInvite it to a server: %s\n",
				Version(), r.Username, r.Commands, where, r.InviteURL)
		},
	})
}
