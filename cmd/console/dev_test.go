package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yiyun-console/console/internal/config"
)

func TestDevSecretsCreatesTheKeyOnce(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir = dir
	if err := devSecrets(&cfg); err != nil {
		t.Fatal(err)
	}
	key, err := cfg.Key()
	if err != nil || len(key) != 32 {
		t.Fatalf("created key: %d bytes, %v", len(key), err)
	}
	path := filepath.Join(dir, "secrets", "encryption.key")
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	stored, _ := os.ReadFile(path)
	if strings.TrimSpace(string(stored)) != cfg.EncryptionKey {
		t.Errorf("the file holds another key than the configuration")
	}

	// The next run reads the same key; a configured key wins over the file.
	again := config.Default()
	again.DataDir = dir
	if err := devSecrets(&again); err != nil || again.EncryptionKey != cfg.EncryptionKey {
		t.Errorf("second run: key changed (%v)", err)
	}
	configured := config.Default()
	configured.DataDir = dir
	configured.EncryptionKey = "c2V0IGJ5IHRoZSBvcGVyYXRvciwgMzIgYnl0ZXMhISE="
	if err := devSecrets(&configured); err != nil ||
		configured.EncryptionKey != "c2V0IGJ5IHRoZSBvcGVyYXRvciwgMzIgYnl0ZXMhISE=" {
		t.Errorf("configured key replaced: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != string(stored) {
		t.Errorf("the key file was rewritten")
	}
}
