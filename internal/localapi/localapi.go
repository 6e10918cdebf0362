// Package localapi is how the command line talks to a running hub or desk: HTTP
// with JSON bodies over a unix socket in the hub's or desk's directory. The
// socket is 0600 in a 0700 directory, so the file system decides who may use it;
// nothing listens on a network port.
//
// The hub and the desk serve the same verbs where they mean the same thing
// (status, inbox, read, delete), so one set of commands serves both desks.
package localapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// SocketName is the socket's file name in a hub's or desk's directory.
const SocketName = "api.sock"

// Listen removes a stale socket at path and listens on a new one, mode 0600.
func Listen(path string) (net.Listener, error) {
	if c, err := net.DialTimeout("unix", path, 200*time.Millisecond); err == nil {
		c.Close()
		return nil, fmt.Errorf("%s: another hub or desk is already running on this directory", path)
	}
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// Error is a refusal from the API.
type Error struct {
	Status int    `json:"-"`
	Code   string `json:"code"`
	Msg    string `json:"error"`
}

func (e *Error) Error() string { return e.Msg }

// WriteJSON writes v as the response.
func WriteJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	e := json.NewEncoder(w)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	_ = e.Encode(v)
}

// WriteError writes a refusal.
func WriteError(w http.ResponseWriter, status int, code, format string, args ...any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(&Error{Code: code, Msg: fmt.Sprintf(format, args...)})
}

// ReadJSON decodes a request body strictly into v. On failure it answers 400
// with code "bad_frame" and returns false; the handler then just returns.
func ReadJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	d := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		WriteError(w, http.StatusBadRequest, "bad_frame", "request body: %v", err)
		return false
	}
	return true
}

// Client calls a hub's or desk's API.
type Client struct {
	Socket string
	hc     *http.Client
}

// Dial returns a client for the socket in dir.
func Dial(dir string) *Client {
	sock := filepath.Join(dir, SocketName)
	return &Client{Socket: sock, hc: &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}},
	}}
}

// ErrNotRunning says no hub or desk answers on the socket.
var ErrNotRunning = errors.New("no hub or desk is running there")

// Call sends in (nil for GET) to path and decodes the answer into out.
func (c *Client) Call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://local"+path, body)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var ne *net.OpError
		if errors.As(err, &ne) && ne.Op == "dial" {
			return fmt.Errorf("%s: %w (start it with `backchannel hub run` or `backchannel desk run`)", c.Socket, ErrNotRunning)
		}
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		e := &Error{Status: resp.StatusCode}
		if json.Unmarshal(data, e) != nil || e.Msg == "" {
			e.Msg = fmt.Sprintf("%s %s: %s", method, path, resp.Status)
		}
		return e
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// Item is a message as the command line shows it.
type Item struct {
	ID        string          `json:"id"`
	From      string          `json:"from"`
	To        string          `json:"to,omitempty"`
	Kind      string          `json:"kind"`
	Text      string          `json:"text"`
	Sent      time.Time       `json:"sent"`
	Expires   time.Time       `json:"expires"`
	Assurance json.RawMessage `json:"assurance,omitempty"`
	// Sealed is set on a sealed message the desk opened: whose static key it
	// authenticated against.
	Sealed bool `json:"sealed,omitempty"`
	Read   bool `json:"read,omitempty"`
}

// SendRequest is a message to send: to the mediator from a desk, or to a party
// from the hub (conveyance).
type SendRequest struct {
	To     string `json:"to,omitempty"`
	Text   string `json:"text"`
	TTL    int64  `json:"ttl,omitempty"` // seconds
	Quote  string `json:"quote,omitempty"`
	Sealed bool   `json:"sealed,omitempty"`
}

// SendReply says what became of a message.
type SendReply struct {
	ID    string `json:"id"`
	State string `json:"state"` // "accepted" (stored at the hub) or "queued" (desk offline)
}

// IDRequest names one message or assurance.
type IDRequest struct {
	ID   string `json:"id"`
	Text string `json:"text,omitempty"`
}
