package commands

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// fetch reads an attachment from the URL Discord sent, only from
// Discord's CDN or the host of DISCORD_API_BASE_URL, at most
// MaxAttachment bytes, without following redirects.
func (s *sourceCommands) fetch(ctx context.Context, raw string) ([]byte, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("the attachment's address is not a URL")
	}
	if !s.allowedHost(u) {
		return nil, fmt.Errorf("attachments are read only from Discord's CDN, not from %s", u.Host)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the attachment: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the attachment: %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxAttachment+1))
	if err != nil {
		return nil, fmt.Errorf("fetching the attachment: %w", err)
	}
	if len(body) > MaxAttachment {
		return nil, fmt.Errorf("it is over 1 MiB")
	}
	return body, nil
}

func (s *sourceCommands) allowedHost(u *url.URL) bool {
	if u.Scheme == "https" {
		for _, h := range discordCDNHosts {
			if strings.EqualFold(u.Host, h) {
				return true
			}
		}
	}
	if s.cfg.APIBaseURL != "" {
		if base, err := url.Parse(s.cfg.APIBaseURL); err == nil && base.Host != "" &&
			strings.EqualFold(base.Host, u.Host) && base.Scheme == u.Scheme {
			return true
		}
	}
	return false
}

func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
