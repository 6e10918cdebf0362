package hub

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"

	"go.yaml.in/yaml/v3"

	"backchannel/internal/identity"
	"backchannel/internal/yamldoc"
)

// Party is one enrolled party: its key and the channels it belongs to.
type Party struct {
	Code     string
	Key      identity.Public
	Channels []string
}

// Members is the enrollment file the mediator edits: who the mediator is, and
// which parties may connect with which keys.
type Members struct {
	Mediator string
	Parties  map[string]*Party
}

var codeRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,15}$`)
var channelRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// ValidCode reports whether s can name a principal (a CAMEO-style code).
func ValidCode(s string) bool { return codeRE.MatchString(s) }

// LoadMembers reads and checks an enrollment file; every problem is reported
// with its line and column.
func LoadMembers(path string) (*Members, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseMembers(path, data)
}

// ParseMembers parses an enrollment file's text.
func ParseMembers(file string, data []byte) (*Members, error) {
	root, errs := yamldoc.Decode(file, data)
	if errs != nil {
		return nil, errs
	}
	c := &yamldoc.Checker{File: file}
	m := &Members{Parties: map[string]*Party{}}
	if root == nil {
		c.Errorf(nil, "empty file; expected mediator: and parties:")
		return nil, c.Errs
	}
	f := c.Fields(root, "enrollment", "mediator", "parties")
	if n := f["mediator"]; n != nil {
		m.Mediator = c.Str(n, "mediator")
		if m.Mediator == "" {
			c.Errorf(n, "mediator: empty; expected the mediator's code, e.g. RUS")
		} else if !ValidCode(m.Mediator) {
			c.Errorf(n, "mediator: %q is not a code; expected capitals and digits such as RUS", m.Mediator)
		}
	} else {
		c.Errorf(root, "missing mediator: (the mediator's code, e.g. RUS)")
	}
	if n := f["parties"]; n != nil && !(n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		c.Mapping(n, "parties", func(k, v *yaml.Node) {
			code := k.Value
			if !ValidCode(code) {
				c.Errorf(k, "parties: %q is not a code; expected capitals and digits such as ISR", code)
				return
			}
			if code == m.Mediator {
				c.Errorf(k, "parties: %s is the mediator; a mediator is not enrolled as a party", code)
				return
			}
			pf := c.Fields(v, "parties."+code, "key", "channels")
			p := &Party{Code: code}
			if kn := pf["key"]; kn != nil {
				s := c.Str(kn, "parties."+code+".key")
				if s == "" {
					c.Errorf(kn, "parties.%s.key: empty; expected the party's public key (bcpub:...)", code)
				} else {
					key, err := identity.ParsePublic(s)
					if err != nil {
						c.Errorf(kn, "parties.%s.key: %v", code, err)
					}
					p.Key = key
				}
			} else {
				c.Errorf(v, "parties.%s: missing key: (the party's public key, bcpub:...)", code)
			}
			if cn := pf["channels"]; cn != nil {
				for _, item := range c.Items(cn, "parties."+code+".channels") {
					ch := c.Str(item, "parties."+code+".channels")
					if ch != "" && !channelRE.MatchString(ch) {
						c.Errorf(item, "parties.%s.channels: %q is not a channel name; expected lower-case letters, digits, - or _", code, ch)
						continue
					}
					if ch != "" && !slices.Contains(p.Channels, ch) {
						p.Channels = append(p.Channels, ch)
					}
				}
			} else {
				p.Channels = []string{"main"}
			}
			for _, q := range m.Parties {
				if q.Key == p.Key && p.Key != (identity.Public{}) {
					c.Errorf(v, "parties.%s: the same key as %s; each party needs its own key", code, q.Code)
				}
			}
			m.Parties[code] = p
		})
	}
	if len(c.Errs) > 0 {
		return nil, c.Errs
	}
	return m, nil
}

// Save writes the enrollment file (0600, replacing it atomically).
func (m *Members) Save(path string) error {
	var b bytes.Buffer
	b.WriteString("# backchannel hub enrollment. Edit it, or use `backchannel hub enroll` and\n")
	b.WriteString("# `backchannel hub remove`; the running hub picks changes up by itself.\n")
	fmt.Fprintf(&b, "mediator: %s\nparties:", m.Mediator)
	if len(m.Parties) == 0 {
		b.WriteString(" {}\n")
	} else {
		b.WriteString("\n")
	}
	for _, code := range m.Codes() {
		p := m.Parties[code]
		fmt.Fprintf(&b, "  %s:\n    key: %s\n    channels: [%s]\n", code, p.Key, joinComma(p.Channels))
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func joinComma(s []string) string {
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(x)
	}
	return b.String()
}

// Codes returns the party codes in order.
func (m *Members) Codes() []string {
	out := make([]string, 0, len(m.Parties))
	for c := range m.Parties {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Keys returns every enrolled key, the candidates for a handshake.
func (m *Members) Keys() []identity.Public {
	out := make([]identity.Public, 0, len(m.Parties))
	for _, c := range m.Codes() {
		out = append(out, m.Parties[c].Key)
	}
	return out
}

// ByKey returns the party holding key.
func (m *Members) ByKey(key identity.Public) *Party {
	for _, p := range m.Parties {
		if p.Key.Equal(key) {
			return p
		}
	}
	return nil
}

// Peers returns the parties sharing a channel with code (not code itself).
func (m *Members) Peers(code string) []*Party {
	me := m.Parties[code]
	if me == nil {
		return nil
	}
	var out []*Party
	for _, c := range m.Codes() {
		p := m.Parties[c]
		if c == code {
			continue
		}
		for _, ch := range p.Channels {
			if slices.Contains(me.Channels, ch) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// SharesChannel reports whether parties a and b have a channel in common.
func (m *Members) SharesChannel(a, b string) bool {
	for _, p := range m.Peers(a) {
		if p.Code == b {
			return true
		}
	}
	return false
}
