package discordtest

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// Discord's JSON error codes that the emulator answers with, for tests to
// compare with discordgo.RESTError.Message.Code.
// See https://discord.com/developers/docs/topics/opcodes-and-status-codes#json.
const (
	CodeGeneral             = 0 // unknown routes and 401s
	CodeUnknownApplication  = 10002
	CodeUnknownChannel      = 10003
	CodeUnknownMessage      = 10008
	CodeUnknownEmoji        = 10014
	CodeUnknownWebhook      = 10015
	CodeUnknownInteraction  = 10062
	CodeAlreadyAcknowledged = 40060
	CodeMissingAccess       = 50001
	CodeCannotEditOthers    = 50005
	CodeEmptyMessage        = 50006
	CodeInvalidFormBody     = 50035
	CodeInvalidJSON         = 50109
)

const (
	messageInvalidFormBody     = "Invalid Form Body"
	messageRateLimited         = "You are being rate limited."
	messageUnknownInteraction  = "Unknown interaction"
	messageAlreadyAcknowledged = "Interaction has already been acknowledged."
)

// apiError is an answer in Discord's error shape:
// {"message": "...", "code": N, "errors": {...}}.
type apiError struct {
	status  int
	code    int
	message string
	form    *formErrors // only for CodeInvalidFormBody
}

func newAPIError(status, code int, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

// Errors named after Discord's, with the status Discord answers them with.
var (
	errUnknownInteraction  = func() *apiError { return newAPIError(404, CodeUnknownInteraction, messageUnknownInteraction) }
	errAlreadyAcknowledged = func() *apiError { return newAPIError(400, CodeAlreadyAcknowledged, messageAlreadyAcknowledged) }
	errUnknownWebhook      = func() *apiError { return newAPIError(404, CodeUnknownWebhook, "Unknown Webhook") }
	errUnknownMessage      = func() *apiError { return newAPIError(404, CodeUnknownMessage, "Unknown Message") }
	errUnknownChannel      = func() *apiError { return newAPIError(404, CodeUnknownChannel, "Unknown Channel") }
	errUnknownEmoji        = func() *apiError { return newAPIError(400, CodeUnknownEmoji, "Unknown Emoji") }
	errUnknownApplication  = func() *apiError { return newAPIError(404, CodeUnknownApplication, "Unknown Application") }
	errMissingAccess       = func() *apiError { return newAPIError(403, CodeMissingAccess, "Missing Access") }
	errCannotEditOthers    = func() *apiError {
		return newAPIError(403, CodeCannotEditOthers, "Cannot edit a message authored by another user")
	}
	errEmptyMessage = func() *apiError { return newAPIError(400, CodeEmptyMessage, "Cannot send an empty message") }
	errInvalidJSON  = func() *apiError {
		return newAPIError(400, CodeInvalidJSON, "The request body contains invalid JSON.")
	}
	errUnauthorized = func() *apiError { return newAPIError(401, CodeGeneral, "401: Unauthorized") }
	errNotFound     = func() *apiError { return newAPIError(404, CodeGeneral, "404: Not Found") }
)

// body renders the error as Discord does.
func (e *apiError) body() []byte {
	out := map[string]any{"message": e.message, "code": e.code}
	if e.form != nil && !e.form.empty() {
		out["errors"] = e.form.tree()
	}
	b, _ := json.Marshal(out)
	return b
}

// formError is one problem with one field of a request body.
type formError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// formErrors collects problems by field path ("embeds", "0", "title") and
// renders them as Discord's nested "errors" object, where each leaf has an
// "_errors" list.
type formErrors struct {
	byPath map[string][]formError
}

func (f *formErrors) add(path []string, code, message string) {
	if f.byPath == nil {
		f.byPath = map[string][]formError{}
	}
	key := strings.Join(path, "\x00")
	f.byPath[key] = append(f.byPath[key], formError{Code: code, Message: message})
}

// hasUnder reports whether a problem was recorded at path or below it.
func (f *formErrors) hasUnder(path []string) bool {
	prefix := strings.Join(path, "\x00")
	for k := range f.byPath {
		if k == prefix || strings.HasPrefix(k, prefix+"\x00") {
			return true
		}
	}
	return false
}

func (f *formErrors) empty() bool { return f == nil || len(f.byPath) == 0 }

// tree nests the collected errors: path a.b.c becomes {"a":{"b":{"c":{"_errors":[...]}}}}.
func (f *formErrors) tree() map[string]any {
	root := map[string]any{}
	keys := make([]string, 0, len(f.byPath))
	for k := range f.byPath {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		node := root
		if k != "" {
			for _, part := range strings.Split(k, "\x00") {
				child, ok := node[part].(map[string]any)
				if !ok {
					child = map[string]any{}
					node[part] = child
				}
				node = child
			}
		}
		node["_errors"] = f.byPath[k]
	}
	return root
}

// asError returns the collected problems as a 400 Invalid Form Body, or nil.
func (f *formErrors) asError() *apiError {
	if f.empty() {
		return nil
	}
	return &apiError{status: 400, code: CodeInvalidFormBody, message: messageInvalidFormBody, form: f}
}

// Messages Discord uses for its length limits.
func maxLengthMessage(n int) string { return "Must be " + strconv.Itoa(n) + " or fewer in length." }
func minMaxLengthMessage(min, max int) string {
	return "Must be between " + strconv.Itoa(min) + " and " + strconv.Itoa(max) + " in length."
}

// appendPath returns path+elems without aliasing path's backing array.
func appendPath(path []string, elems ...string) []string {
	out := make([]string, 0, len(path)+len(elems))
	out = append(out, path...)
	return append(out, elems...)
}
