package answer_test

import (
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/answer"
)

// TestVerifyHoles: each hole issue 10 found in the figure and citation
// checks, as a sentence that must fail, beside one that must pass.
func TestVerifyHoles(t *testing.T) {
	// [1] Doubao 75 million monthly active users; [2] more than $10 billion
	// in 2025; [3] Microsoft $55.7 billion; [4] up to $7 billion on Nvidia
	// chips; [5] FT $12 billion in 2025.
	sources := numbered(t, "doubao-75m-monthly-users", "ai-infra-over-10b", "microsoft-55-7b-fy2024", "nvidia-chips-up-to-7b", "ft-ai-infra-12b")
	tests := []struct {
		name string
		text string
		want string // a substring of a problem; "" means it passes
	}{
		{"qualifier kept", "ByteDance plans to invest more than $10 billion in AI infrastructure in 2025 [2].", ""},
		{"qualifier dropped", "ByteDance plans to invest $10 billion in AI infrastructure in 2025 [2].", `"$10 billion" drops the source's qualifier (more than $10 billion)`},
		{"qualifier inverted", "ByteDance plans to invest less than $10 billion in AI infrastructure in 2025 [2].", `"$10 billion" says less than where the source says more than`},
		{"at least for up to", "ByteDance intended to spend at least $7 billion on Nvidia chips [4].", `"$7 billion" says at least where the source says up to`},
		{"up to kept", "ByteDance intended to spend up to $7 billion on Nvidia chips [4].", ""},
		{"at least for more than", "ByteDance plans to invest at least $10 billion in AI infrastructure in 2025 [2].", ""},
		{"about an exact figure", "The Financial Times says ByteDance plans to put about $12 billion into AI infrastructure in 2025 [5].", ""},
		{"figures trade places", "Microsoft spent $7 billion [3], while ByteDance will spend up to $55.7 billion on Nvidia chips [4].", `"$7 billion" is attributed to [3] but is in [4]`},
		{"figures in their places", "Microsoft spent $55.7 billion [3], while ByteDance intended to spend up to $7 billion on Nvidia chips [4].", ""},
		{"the entity named with a figure", "Microsoft intended to spend up to $7 billion on Nvidia chips [4].", `"Microsoft" is not named in [4]`},
		{"users are not GPUs", "ByteDance has bought 75 million GPUs [1].", `"75 million" counts gpus, but the source's 75 million users counts users`},
		{"users are users", "ByteDance's chatbot Doubao has 75 million monthly users [1].", ""},
		{"people are users", "Doubao, ByteDance's chatbot, is used by 75 million people every month [1].", ""},
		{"spelled out and wrong", "ByteDance plans to invest two and a half billion dollars in AI infrastructure [2].", `"two and a half billion dollars" is not in any cited source [2]`},
		{"a half-billion", "ByteDance plans to invest a half-billion dollars in AI infrastructure [2].", `"a half-billion dollars" is not in any cited source [2]`},
		{"spelled out and right", "The Financial Times says ByteDance plans to put twelve billion dollars into AI infrastructure in 2025 [5].", ""},
		{"mathematical digits", "Doubao has 𝟕𝟓 million monthly active users [1].", `"𝟕𝟓" is a number in characters bytewatch cannot check`},
		{"superscript digits", "Doubao has ⁷⁵ million monthly active users [1].", `"⁷⁵" is a number`},
		{"circled digit", "ByteDance plans to invest ⑨ billion dollars in AI infrastructure [2].", `"⑨" is a number`},
		{"Khmer digits", "Doubao has ៧៥ million monthly active users [1].", `"៧៥" is a number`},
		{"Mongolian digits", "Doubao has ᠗᠕ million monthly active users [1].", `"᠗᠕" is a number`},
		{"a number in words no figure", "ByteDance's Doubao has two chatbots [1].", `"two" is a number no cited source states [1]`},
		{"a year is not a count", "Doubao has 2025 users [1].", `"2025 users" uses a year as a count`},
		{"a year as a date", "ByteDance plans to invest more than $10 billion in AI infrastructure in 2025 [2].", ""},
		{"a rate the source does not state", "The Financial Times says ByteDance will put $12 billion a month into AI infrastructure [5].", `"$12 billion" is a rate per month`},
		{"a monthly count stays monthly", "Doubao has 75 million users each month [1].", ""},
		{"story citing [1]", "Once upon a time Lily found a red ball in the garden [1].", `"Lily" is not named in [1]`},
		{"plausible claim citing [1]", "Doubao is ByteDance's most profitable app [1].", `"profitable" is not in the cited source [1]`},
		{"uncited sentence beside cited ones", "Doubao has 75 million monthly active users [1]. It is growing fast.", "sentence 2 cites no source"},
		{"two facts under one citation", "ByteDance's Doubao chatbot has 75 million monthly active users and ByteDance plans to invest more than $10 billion [1].", `"$10 billion" is not in any cited source [1]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := answer.Verify(tt.text, sources)
			if tt.want == "" {
				if !r.OK() {
					t.Errorf("%q fails: %q", tt.text, r.Problems)
				}
				return
			}
			for _, p := range r.Problems {
				if strings.Contains(p, tt.want) {
					return
				}
			}
			t.Errorf("%q: problems %q; want one containing %q", tt.text, r.Problems, tt.want)
		})
	}
}
