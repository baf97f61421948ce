package discordtest

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// attachmentsPrefix is where the emulator serves attachments, as Discord's
// CDN (cdn.discordapp.com/attachments/…) does: on its own host, outside
// the API.
const attachmentsPrefix = "/attachments/"

// attachmentRoute is the Route recorded for a request for an attachment.
const attachmentRoute = "/attachments/{channel}/{attachment}/{filename}"

type storedAttachment struct {
	contentType string
	data        []byte
}

// AddAttachment stores a file a user uploads and returns it as Discord
// describes it in an interaction's resolved data, with a URL on the
// emulator's host that serves its bytes: give it to InteractionSpec's
// Attachments and name its ID in an attachment option.
func (s *Server) AddAttachment(filename, contentType string, data []byte) *discordgo.MessageAttachment {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newSnowflakeLocked()
	path := attachmentsPrefix + s.ChannelID() + "/" + id + "/" + url.PathEscape(filename)
	if s.attachments == nil {
		s.attachments = map[string]storedAttachment{}
	}
	s.attachments[path] = storedAttachment{contentType: contentType, data: data}
	return &discordgo.MessageAttachment{
		ID: id, Filename: filename, ContentType: contentType, Size: len(data),
		URL:      s.URL + path + "?ex=" + strconv.FormatInt(time.Now().Add(24*time.Hour).Unix(), 16),
		ProxyURL: s.URL + path,
	}
}

// serveAttachment serves GET /attachments/… and records the request.
func (s *Server) serveAttachment(w http.ResponseWriter, r *http.Request) {
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(),
		Time: time.Now(), Route: attachmentRoute}
	s.mu.Lock()
	a, ok := s.attachments[r.URL.EscapedPath()]
	if !ok {
		a, ok = s.attachments[r.URL.Path]
	}
	status := http.StatusOK
	switch {
	case r.Method != http.MethodGet:
		status = http.StatusMethodNotAllowed
	case !ok:
		status = http.StatusNotFound
	}
	rec.Status = status
	s.requests = append(s.requests, rec)
	s.notifyLocked()
	s.mu.Unlock()
	if status != http.StatusOK {
		http.Error(w, fmt.Sprintf("%d", status), status)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(a.data)))
	w.Write(a.data)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func isAttachmentPath(p string) bool { return strings.HasPrefix(p, attachmentsPrefix) }
