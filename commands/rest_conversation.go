package commands

import (
	"context"
	"errors"

	"github.com/bwmarrin/discordgo"
)

// The REST calls conversations need: reading a reply chain and a thread,
// starting a thread on an answer, answering autocomplete.

// Message reads one message of a channel.
func (c *REST) Message(ctx context.Context, channelID, messageID string) (*discordgo.Message, error) {
	return callValue(c, ctx, "get message", "", func(_ context.Context, opts ...discordgo.RequestOption) (*discordgo.Message, error) {
		return c.s.ChannelMessage(channelID, messageID, opts...)
	})
}

// Messages reads the last limit (at most 100) messages of a channel,
// newest first.
func (c *REST) Messages(ctx context.Context, channelID string, limit int) ([]*discordgo.Message, error) {
	return callValue(c, ctx, "get messages", "", func(_ context.Context, opts ...discordgo.RequestOption) ([]*discordgo.Message, error) {
		return c.s.ChannelMessages(channelID, limit, "", "", "", opts...)
	})
}

// StartThread starts a public thread named name on a message; the thread
// has the message's ID.
func (c *REST) StartThread(ctx context.Context, channelID, messageID, name string) (*discordgo.Channel, error) {
	return callValue(c, ctx, "start thread", "", func(_ context.Context, opts ...discordgo.RequestOption) (*discordgo.Channel, error) {
		return c.s.MessageThreadStartComplex(channelID, messageID, &discordgo.ThreadStart{
			Name: name, AutoArchiveDuration: threadArchiveMinutes,
		}, opts...)
	})
}

// Suggest answers an autocomplete request with choices.
func (c *REST) Suggest(ctx context.Context, in *discordgo.Interaction, choices []*discordgo.ApplicationCommandOptionChoice) error {
	if choices == nil {
		choices = []*discordgo.ApplicationCommandOptionChoice{}
	}
	return c.call(ctx, "autocomplete result", in.Token, func(opts ...discordgo.RequestOption) error {
		return c.s.InteractionRespond(in, &discordgo.InteractionResponse{
			Type: discordgo.InteractionApplicationCommandAutocompleteResult,
			Data: &discordgo.InteractionResponseData{Choices: choices},
		}, opts...)
	})
}

// threadArchiveMinutes is how long a follow-up thread stays open without a
// message: three days.
const threadArchiveMinutes = 4320

// Discord's JSON error codes that starting a thread can meet.
const (
	codeThreadAlreadyCreated = 160004
	codeInvalidChannelType   = 50024
)

// discordCode is the JSON error code of a Discord error, 0 for another.
func discordCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}
