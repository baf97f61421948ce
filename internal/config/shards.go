package config

import (
	"fmt"
	"strconv"
	"strings"
)

// ShardCountAuto is Config.ShardCount for SHARD_COUNT=auto: the count
// Discord recommends (GET /gateway/bot).
const ShardCountAuto = -1

// readShards reads SHARD_COUNT, SHARD_ID and SHARD_IDS into c.
//
//   - SHARD_COUNT: how many shards the bot runs in all, or "auto"; unset or
//     1 runs one unsharded session.
//   - SHARD_ID: the one shard this process runs — a number, or a name that
//     ends in one ("bytewatch-3", a StatefulSet pod's name).
//   - SHARD_IDS: a range "first-last" this process runs.
//
// With SHARD_COUNT and neither of the others, one process runs every shard.
func readShards(lookup func(string) (string, bool), c *Config) []error {
	var errs []error
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	count, id, ids := get("SHARD_COUNT"), get("SHARD_ID"), get("SHARD_IDS")
	switch {
	case count == "":
	case strings.EqualFold(count, "auto"):
		c.ShardCount = ShardCountAuto
	default:
		n, err := strconv.Atoi(count)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("SHARD_COUNT=%q: want a whole number of at least 1, or auto", count))
		} else {
			c.ShardCount = n
		}
	}
	if id != "" && ids != "" {
		errs = append(errs, fmt.Errorf("SHARD_ID and SHARD_IDS are both set: set one"))
		return errs
	}
	if id != "" {
		digits := id[strings.LastIndexByte(id, '-')+1:] // "bytewatch-3" → "3"
		n, err := strconv.Atoi(digits)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("SHARD_ID=%q: want a shard number, or a name ending in one such as bytewatch-3", id))
		} else {
			c.ShardIDs = []int{n}
		}
	}
	if ids != "" {
		first, last, ok := strings.Cut(ids, "-")
		a, errA := strconv.Atoi(strings.TrimSpace(first))
		b, errB := strconv.Atoi(strings.TrimSpace(last))
		if !ok || errA != nil || errB != nil || a < 0 || b < a {
			errs = append(errs, fmt.Errorf("SHARD_IDS=%q: want a range first-last, such as 0-3", ids))
		} else {
			for i := a; i <= b; i++ {
				c.ShardIDs = append(c.ShardIDs, i)
			}
		}
	}
	if len(c.ShardIDs) > 0 && c.ShardCount > 0 && c.ShardIDs[len(c.ShardIDs)-1] >= c.ShardCount {
		errs = append(errs, fmt.Errorf("shard %d is out of range for SHARD_COUNT=%d (shards are numbered from 0)", c.ShardIDs[len(c.ShardIDs)-1], c.ShardCount))
	}
	return errs
}

// ShardCheck reports settings that parse but cannot run a bot: shards
// named without SHARD_COUNT. `bytewatch run` checks it.
func (c Config) ShardCheck() error {
	if len(c.ShardIDs) > 0 && c.ShardCount == 0 {
		return fmt.Errorf("SHARD_ID or SHARD_IDS needs SHARD_COUNT (a number, or auto)")
	}
	return nil
}
