package commands

import "github.com/bwmarrin/discordgo"

// SessionOf is the session c sends through, for tests that look at
// discordgo's own state.
func SessionOf(c *REST) *discordgo.Session { return c.s }
