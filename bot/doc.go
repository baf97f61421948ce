// Package bot wires bytewatch to Discord: the session, questions asked in
// channels — follow-ups read with their reply chain or the bot's thread —
// and shutdown.
package bot
