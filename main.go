// Command bytewatch answers investors' questions about ByteDance's AI plans
// with cited facts, from the command line or as a Discord bot.
package main

import (
	"os"

	"github.com/bytewatch/bytewatch/internal/cli"
)

func main() { os.Exit(cli.Run()) }
