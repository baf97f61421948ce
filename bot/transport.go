package bot

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// discordHosts are the hosts discordgo builds its endpoint URLs on. discordgo
// computes EndpointDiscord, EndpointAPI and EndpointCDN at package init, so a
// Session cannot be pointed elsewhere by configuration; instead its HTTP client
// rewrites these hosts.
var discordHosts = map[string]bool{
	"discord.com":        true,
	"cdn.discordapp.com": true,
}

// rewriteTransport sends requests meant for Discord's hosts to base instead,
// keeping their path (after base's own path) and query.
type rewriteTransport struct {
	base *url.URL
	next http.RoundTripper
}

// NewRewriteTransport returns a RoundTripper that rewrites requests for
// https://discord.com/... (the REST API) and https://cdn.discordapp.com/...
// onto apiBase, keeping the original path and query: with apiBase
// "https://proxy.example/discord", https://discord.com/api/v9/gateway becomes
// https://proxy.example/discord/api/v9/gateway. Requests for other hosts pass
// through untouched. next carries the rewritten requests; nil means
// http.DefaultTransport.
//
// apiBase must be an absolute http or https URL with a host and without a
// query or fragment. Use it as a discordgo Session's client:
//
//	rt, err := bot.NewRewriteTransport(os.Getenv("DISCORD_API_BASE_URL"), nil)
//	session.Client = &http.Client{Transport: rt, Timeout: 20 * time.Second}
func NewRewriteTransport(apiBase string, next http.RoundTripper) (http.RoundTripper, error) {
	base, err := parseAPIBase(apiBase)
	if err != nil {
		return nil, err
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return &rewriteTransport{base: base, next: next}, nil
}

// parseAPIBase checks apiBase and returns it with any trailing slash removed
// from its path, so joining it with a request path never doubles the slash.
func parseAPIBase(apiBase string) (*url.URL, error) {
	if strings.TrimSpace(apiBase) == "" {
		return nil, errors.New("discord API base URL is empty")
	}
	u, err := url.Parse(apiBase)
	if err != nil {
		// url.Parse quotes the whole URL, credentials and all: show it only
		// when it cannot hold any ("127.0.0.1:1234", a missing scheme).
		if strings.ContainsAny(apiBase, "@?#") {
			return nil, errors.New("discord API base URL does not parse as a URL")
		}
		return nil, fmt.Errorf("discord API base URL %q does not parse as a URL: want http(s)://host[:port][/path]", apiBase)
	}
	// Errors show the URL without user info, query or fragment: any of
	// them may hold a credential.
	shown := safeURL(u)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("discord API base URL %q: scheme must be http or https, not %q", shown, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("discord API base URL %q: no host", shown)
	}
	if u.User != nil {
		// Credentials in the URL would be sent to the proxy on every request
		// and end up in logs; the bot token is the only credential.
		return nil, fmt.Errorf("discord API base URL %q: must not contain user info", shown)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, fmt.Errorf("discord API base URL %q: must not have a query or fragment", shown)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

// safeURL is u as errors may show it: scheme, host and path only.
func safeURL(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// RoundTrip implements http.RoundTripper.
func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil || !discordHosts[strings.ToLower(req.URL.Hostname())] {
		return t.next.RoundTrip(req)
	}
	// A RoundTripper must not modify the caller's request.
	out := req.Clone(req.Context())
	out.URL = rewriteURL(t.base, req.URL)
	out.Host = "" // send the new URL's host, not discord.com
	resp, err := t.next.RoundTrip(out)
	if err != nil {
		// http.Client names the URL it was given (discord.com) in its
		// error; this names the one dialled, for Run to show instead.
		return nil, &RewrittenError{URL: safeURL(out.URL), Err: err}
	}
	return resp, nil
}

// RewrittenError is a failed request that the DISCORD_API_BASE_URL
// transport sent elsewhere than discord.com: URL is where it went (without
// credentials or query).
type RewrittenError struct {
	URL string
	Err error
}

func (e *RewrittenError) Error() string {
	return fmt.Sprintf("%s (DISCORD_API_BASE_URL): %v", e.URL, e.Err)
}

func (e *RewrittenError) Unwrap() error { return e.Err }

// dialledError restates err, from an http.Client whose transport rewrote
// the URL, with the address actually dialled instead of discord.com's.
func dialledError(err error) error {
	var ue *url.Error
	var re *RewrittenError
	if errors.As(err, &ue) && errors.As(ue.Err, &re) {
		return fmt.Errorf("%s %q (DISCORD_API_BASE_URL): %w", ue.Op, re.URL, re.Err)
	}
	return err
}

// rewriteURL returns u moved onto base: base's scheme and host, base's path
// followed by u's path, and u's query.
func rewriteURL(base, u *url.URL) *url.URL {
	out := *base
	out.Path = base.Path + u.Path
	// Keep u's escaping (a reaction's emoji, say) when it has one of its own.
	if u.RawPath != "" {
		out.RawPath = base.EscapedPath() + u.RawPath
	} else {
		out.RawPath = ""
	}
	out.RawQuery = u.RawQuery
	out.ForceQuery = u.ForceQuery
	out.Fragment = ""
	return &out
}
