// Package storage keeps uploaded files (verification images, IVR prompts) behind an
// interface. The default keeps them under a local folder; a deployment with several
// API processes on several machines points it at a shared volume or implements the
// interface over an object store.
package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNotFound is returned for a key that holds nothing.
var ErrNotFound = errors.New("stored file not found")

// Storage stores blobs by key.
type Storage interface {
	// Put stores data under key; putting the same key again is harmless.
	Put(ctx context.Context, key string, data []byte) error
	// Get returns the data under key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// ContentKey returns the content address of data: its SHA-256 in hex, so that the
// same content is stored once.
func ContentKey(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// Local stores files under Dir, two levels of folders by key prefix.
type Local struct {
	Dir string
}

func (l *Local) path(key string) (string, error) {
	if len(key) < 4 || filepath.Base(key) != key || key[0] == '.' {
		return "", fmt.Errorf("invalid storage key %q", key)
	}
	return filepath.Join(l.Dir, key[:2], key[2:4], key), nil
}

// Put writes data atomically (a temporary file renamed into place).
func (l *Local) Put(ctx context.Context, key string, data []byte) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("creating storage folder: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return fmt.Errorf("storing %s: %w", key, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("storing %s: %w", key, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("storing %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("storing %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("storing %s: %w", key, err)
	}
	return nil
}

// Get reads the file under key.
func (l *Local) Get(ctx context.Context, key string) ([]byte, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", key, err)
	}
	return b, nil
}

// Delete removes the file under key.
func (l *Local) Delete(ctx context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("deleting %s: %w", key, err)
	}
	return nil
}
