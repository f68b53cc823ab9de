package storage

import (
	"context"
	"errors"
	"testing"
)

func TestLocal(t *testing.T) {
	ctx := context.Background()
	s := &Local{Dir: t.TempDir()}
	data := []byte("prompt bytes")
	key := ContentKey(data)
	if len(key) != 64 {
		t.Fatalf("key %q", key)
	}
	for i := 0; i < 2; i++ {
		if err := s.Put(ctx, key, data); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Get(ctx, key)
	if err != nil || string(got) != string(data) {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if err := s.Put(ctx, "../escape", data); err == nil {
		t.Fatal("a key with a path was accepted")
	}
}
