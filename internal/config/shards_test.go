package config_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/internal/config"
)

func TestShardSettings(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		count   int
		ids     []int
		wantErr string // "" for none; checked by ShardCheck too
	}{
		{"unset", nil, 0, nil, ""},
		{"count only: every shard here", map[string]string{"SHARD_COUNT": "4"}, 4, nil, ""},
		{"auto", map[string]string{"SHARD_COUNT": "AUTO"}, config.ShardCountAuto, nil, ""},
		{"one shard", map[string]string{"SHARD_COUNT": "4", "SHARD_ID": "3"}, 4, []int{3}, ""},
		{"a pod's name", map[string]string{"SHARD_COUNT": "4", "SHARD_ID": "bytewatch-2"}, 4, []int{2}, ""},
		{"a range", map[string]string{"SHARD_COUNT": "auto", "SHARD_IDS": "2-4"}, config.ShardCountAuto, []int{2, 3, 4}, ""},
		{"out of range", map[string]string{"SHARD_COUNT": "2", "SHARD_ID": "2"}, 2, []int{2}, "out of range"},
		{"both", map[string]string{"SHARD_COUNT": "2", "SHARD_ID": "1", "SHARD_IDS": "0-1"}, 2, nil, "both set"},
		{"bad count", map[string]string{"SHARD_COUNT": "0"}, 0, nil, "SHARD_COUNT"},
		{"bad range", map[string]string{"SHARD_COUNT": "4", "SHARD_IDS": "3-1"}, 4, nil, "SHARD_IDS"},
		{"bad id", map[string]string{"SHARD_COUNT": "4", "SHARD_ID": "pod"}, 4, nil, "SHARD_ID"},
		{"id without count", map[string]string{"SHARD_ID": "1"}, 0, []int{1}, "needs SHARD_COUNT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.FromEnv(lookup(tc.env))
			if err == nil {
				err = c.ShardCheck()
			}
			if (err != nil) != (tc.wantErr != "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v; want %q", err, tc.wantErr)
			}
			if c.ShardCount != tc.count || !reflect.DeepEqual(c.ShardIDs, tc.ids) {
				t.Errorf("count %d ids %v; want %d %v", c.ShardCount, c.ShardIDs, tc.count, tc.ids)
			}
		})
	}
}
