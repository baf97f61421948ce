// Package bot wires bytewatch to Discord: the session, questions asked in channels, and shutdown.
package bot
