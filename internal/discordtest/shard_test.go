package discordtest_test

import (
	"testing"

	"github.com/bytewatch/bytewatch/internal/discordtest"
)

func TestShardFor(t *testing.T) {
	tests := []struct {
		guild string
		count int
		want  int
	}{
		{"", 4, 0},                   // DMs go to shard 0
		{"81384788765712384", 1, 0},  // unsharded
		{"81384788765712384", 2, 0},  // 81384788765712384 >> 22 = 19403645698
		{"81384788765712384", 16, 2}, // 19403645698 % 16
		{"not a snowflake", 4, 0},    // malformed: shard 0
		{"4194304", 2, 1},            // 1 << 22
		{"8388608", 2, 0},            // 2 << 22
	}
	for _, tc := range tests {
		if got := discordtest.ShardFor(tc.guild, tc.count); got != tc.want {
			t.Errorf("ShardFor(%q, %d) = %d; want %d", tc.guild, tc.count, got, tc.want)
		}
	}
}
