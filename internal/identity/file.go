package identity

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
)

// ErrPermissions reports a key file that others can read.
var ErrPermissions = errors.New("key file is readable by others")

// Save writes the identity to a new file with mode 0600. It refuses to overwrite an
// existing file, so a key is never lost by mistake.
func Save(path string, p *Private, comment string, now time.Time) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# backchannel identity (X25519). Keep this file secret.\n")
	if comment != "" {
		fmt.Fprintf(&b, "# %s\n", strings.ReplaceAll(comment, "\n", " "))
	}
	fmt.Fprintf(&b, "# created: %s\n", now.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "# public key: %s\n", p.Public())
	fmt.Fprintf(&b, "%s\n", p)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Load reads an identity file written by Save. It refuses a file whose mode lets
// group or others read it, as ssh does.
func Load(path string) (*Private, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s: %w (mode %v); run: chmod 600 %s", path, ErrPermissions, st.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseFile(path, data)
}

func parseFile(path string, data []byte) (*Private, error) {
	var found *Private
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		p, err := ParsePrivate(t)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if found != nil {
			return nil, fmt.Errorf("%s:%d: a second key; expected one key per file", path, line)
		}
		found = p
	}
	if found == nil {
		return nil, fmt.Errorf("%s: %w: no line starting %q", path, ErrFormat, PrivatePrefix)
	}
	return found, nil
}

// LoadPublic reads a public key given either as text or as the path of a file
// holding it (a key file's "# public key:" comment counts, so a party can hand over
// the output of keygen or an identity file's public line).
func LoadPublic(s string) (Public, error) {
	if strings.HasPrefix(strings.TrimSpace(s), PublicPrefix) {
		return ParsePublic(s)
	}
	if strings.HasPrefix(strings.TrimSpace(s), PrivatePrefix) {
		return Public{}, fmt.Errorf("%w: this is a private key (%s...); give the public key (%s...) instead", ErrFormat, PrivatePrefix, PublicPrefix)
	}
	data, err := os.ReadFile(s)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Public{}, fmt.Errorf("%q is neither a public key (%s...) nor a readable file", s, PublicPrefix)
		}
		return Public{}, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		t = strings.TrimPrefix(t, "# public key:")
		t = strings.TrimSpace(t)
		if strings.HasPrefix(t, PublicPrefix) {
			k, err := ParsePublic(t)
			if err != nil {
				return Public{}, fmt.Errorf("%s:%d: %w", s, line, err)
			}
			return k, nil
		}
	}
	return Public{}, fmt.Errorf("%s: no public key (a line starting %q)", s, PublicPrefix)
}
