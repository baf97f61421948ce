package llm_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/answer/llm"
)

func TestShownURLAndConfigErrorsHideCredentials(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("https://user:hunter2@gateway.example/v1?api-key=hunter2#hunter2")
	if got := llm.ShownURL(u); strings.Contains(got, "hunter2") || !strings.Contains(got, "gateway.example/v1") {
		t.Errorf("ShownURL = %q", got)
	}
	for _, base := range []string{"https://user:hunter2@gate way.example/v1", "ftp://gateway.example/v1?api-key=hunter2", "http://%zzhunter2/v1"} {
		_, err := llm.New(llm.Config{BaseURL: base, Model: "m"})
		if err == nil {
			t.Errorf("New with base URL %q accepted it", base)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("New with base URL %q: the error shows the credential: %v", base, err)
		}
	}
}
