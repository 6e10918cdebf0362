package store

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestRegistryNamesAtRest: registry key names are a party's own words (an
// assurance id), so no token of them may reach the disk, while prefix listing
// keeps working at every kind of prefix.
func TestRegistryNamesAtRest(t *testing.T) {
	const secretID = "isrsecrettalks-7f3a09"
	s, o := openTest(t, nil)
	ctx := context.Background()
	entries := map[string]string{
		"asr." + secretID:        "assurance",
		"asr.other-9q":           "another",
		"otk.irnsecret.kq7m2xh4": "key 1",
		"otk.irnsecret.kzz2":     "key 2",
		"otk.isr.kab":            "key 3",
		"redlinesecret":          "crossed",
	}
	for k, v := range entries {
		if err := s.RegistryPut(ctx, k, []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"asr.", []string{"asr." + secretID, "asr.other-9q"}},
		{"otk.irnsecret.", []string{"otk.irnsecret.kq7m2xh4", "otk.irnsecret.kzz2"}},
		{"otk.", []string{"otk.irnsecret.kq7m2xh4", "otk.irnsecret.kzz2", "otk.isr.kab"}},
		{"otk.irnsecret.kq", []string{"otk.irnsecret.kq7m2xh4"}}, // ends inside a token
		{"otk.i", []string{"otk.irnsecret.kq7m2xh4", "otk.irnsecret.kzz2", "otk.isr.kab"}},
		{"redline", []string{"redlinesecret"}},
		{"", slices.Sorted(maps.Keys(entries))},
		{"asr", []string{"asr." + secretID, "asr.other-9q"}},
		{"nothing.", nil},
		{"..", nil},
	} {
		got, err := s.RegistryList(ctx, tc.prefix)
		if err != nil {
			t.Fatalf("RegistryList(%q): %v", tc.prefix, err)
		}
		if names := slices.Sorted(maps.Keys(got)); !slices.Equal(names, tc.want) {
			t.Errorf("RegistryList(%q) = %v; want %v", tc.prefix, names, tc.want)
		}
		for k, v := range got {
			if string(v) != entries[k] {
				t.Errorf("RegistryList(%q)[%s] = %q; want %q", tc.prefix, k, v, entries[k])
			}
		}
	}
	if v, err := s.RegistryGet(ctx, "asr."+secretID); err != nil || string(v) != "assurance" {
		t.Fatalf("RegistryGet = %q, %v", v, err)
	}
	if err := s.RegistryDelete(ctx, "otk.irnsecret.kzz2"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.RegistryList(ctx, "otk.irnsecret."); err != nil || len(got) != 1 {
		t.Errorf("after a delete, RegistryList = %v, %v; want one key", got, err)
	}
	if _, err := s.RegistryGet(ctx, "otk.irnsecret.kzz2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RegistryGet deleted = %v; want ErrNotFound", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// No token of any name is on disk, though the store wrote there.
	tokens := []string{secretID, "irnsecret", "kq7m2xh4", "other-9q", "redlinesecret", "asr.", "otk."}
	files, sawBucket := 0, false
	err := filepath.WalkDir(o.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		sawBucket = sawBucket || bytes.Contains(b, []byte(registryBucket))
		for _, tok := range tokens {
			if bytes.Contains(b, []byte(tok)) {
				t.Errorf("registry name token %q found in %s", tok, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !sawBucket {
		t.Fatalf("scanned %d files without finding the registry bucket's name; is it reading the store?", files)
	}
}

// TestRegistryRecordMoved: a value copied under another stored name does not
// open, so the hub cannot be made to read one entry as another.
func TestRegistryRecordMoved(t *testing.T) {
	s, _ := openTest(t, nil)
	ctx := context.Background()
	if err := s.RegistryPut(ctx, "asr.a", []byte("A")); err != nil {
		t.Fatal(err)
	}
	from, _ := s.storedName("asr.a")
	to, _ := s.storedName("asr.b")
	e, err := s.registry.Get(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.registry.Put(ctx, to, e.Value()); err != nil {
		t.Fatal(err)
	}
	if v, err := s.RegistryGet(ctx, "asr.b"); err == nil {
		t.Errorf("a record moved to another name opened: %q", v)
	}
	if _, err := s.RegistryList(ctx, "asr."); err == nil {
		t.Errorf("RegistryList read a moved record without complaint")
	}
}
