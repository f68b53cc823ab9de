package api_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yiyun-console/console/internal/testenv"
)

// ivrFile reads one of the real prompts kept with the media package.
func ivrFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "media", "testdata", "ivr", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// uploadMedia sends data as the multipart part "file" named fileName.
func uploadMedia(t *testing.T, env *testenv.Env, u testenv.User, appID, fileName string,
	data []byte) testenv.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", fileName)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return env.Do(t, testenv.Request{Method: "POST", Path: "/v1/apps/" + appID + "/media",
		Token: u.Token, Body: buf.Bytes(), Content: mw.FormDataContentType()})
}

func TestMediaLibrary(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	app := createApp(t, env, dev, "IVR", "ivr", "")

	accepted := []struct {
		file, format string
		rate         float64
		durationMS   float64
	}{
		{"hello-world.wav", "wav/pcm_s16le", 8000, 1404},
		{"hello-world-alaw.wav", "wav/alaw", 8000, 1404},
		{"hello-world-16k.wav", "wav/pcm_s16le", 16000, 1404},
		{"vm-goodbye.mp3", "mp3", 0, 0},
	}
	// hello-world.wav: (22512 - 44 header bytes) / 2 bytes / 8000 Hz = 1.404 s.
	var firstID string
	for _, a := range accepted {
		r := uploadMedia(t, env, dev, app, a.file, ivrFile(t, a.file))
		if r.Status != http.StatusCreated || r.Str("format") != a.format || r.Str("name") != a.file {
			t.Fatalf("%s: %d %s", a.file, r.Status, r.Body)
		}
		if a.rate != 0 && (r.JSON["sample_rate"] != a.rate || r.JSON["duration_ms"] != a.durationMS) {
			t.Errorf("%s: rate %v duration %v", a.file, r.JSON["sample_rate"], r.JSON["duration_ms"])
		}
		if firstID == "" {
			firstID = r.Str("media_id")
		}
	}

	refused := map[string]string{
		"hello-world-stereo.wav":  "mono",
		"hello-world.gsm":         "GSM",
		"truncated.wav":           "cut off",
		"truncated-header-ok.wav": "",
	}
	for file, says := range refused {
		r := uploadMedia(t, env, dev, app, file, ivrFile(t, file))
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), says) ||
			!strings.Contains(string(r.Body), `"field":"file"`) {
			t.Errorf("%s: %d %s", file, r.Status, r.Body)
		}
	}
	big := append([]byte{}, ivrFile(t, "hello-world.wav")...)
	big = append(big, make([]byte, 5<<20)...)
	if r := uploadMedia(t, env, dev, app, "big.wav", big); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("6 MB: %d %s", r.Status, r.Body)
	}

	// The same content twice (in another app too) is stored once.
	other := createApp(t, env, dev, "IVR 2", "ivr", "")
	dupe := uploadMedia(t, env, dev, other, "again.wav", ivrFile(t, "hello-world.wav"))
	if dupe.Status != http.StatusCreated {
		t.Fatalf("dupe: %s", dupe.Body)
	}
	var blobs int
	env.Store().Pool.QueryRow(t.Context(), "SELECT count(*) FROM media_blobs").Scan(&blobs)
	if blobs != 4 {
		t.Errorf("blobs: %d, want 4", blobs)
	}

	l := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/apps/" + app + "/media", Token: dev.Token})
	if items, _ := l.JSON["items"].([]any); len(items) != 4 {
		t.Errorf("list: %s", l.Body)
	}
	c := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/apps/" + app + "/media/" + firstID + "/content", Token: dev.Token})
	if !bytes.Equal(c.Body, ivrFile(t, "hello-world.wav")) || c.Header.Get("Content-Type") != "audio/wav" {
		t.Errorf("content: %d bytes, %s", len(c.Body), c.Header.Get("Content-Type"))
	}

	// Another account sees nothing of it.
	stranger := env.Developer(t)
	for _, p := range []string{"/media", "/media/" + firstID, "/media/" + firstID + "/content"} {
		env.Must(t, http.StatusNotFound, testenv.Request{Method: "GET", Path: "/v1/apps/" + app + p,
			Token: stranger.Token})
	}
	env.Must(t, http.StatusNotFound, testenv.Request{Method: "DELETE",
		Path: "/v1/apps/" + app + "/media/" + firstID, Token: stranger.Token})
	if r := uploadMedia(t, env, stranger, app, "x.wav", ivrFile(t, "hello-world.wav")); r.Status != 404 {
		t.Errorf("upload to another's app: %d", r.Status)
	}
	// The media of another app of the same account is not reachable through this app.
	env.Must(t, http.StatusNotFound, testenv.Request{Method: "GET",
		Path: "/v1/apps/" + other + "/media/" + firstID, Token: dev.Token})

	// Deleting one user of shared content keeps the content; deleting the last drops it.
	env.Must(t, http.StatusNoContent, testenv.Request{Method: "DELETE",
		Path: "/v1/apps/" + app + "/media/" + firstID, Token: dev.Token})
	env.Store().Pool.QueryRow(t.Context(), "SELECT count(*) FROM media_blobs").Scan(&blobs)
	if blobs != 4 {
		t.Errorf("blobs after deleting a shared prompt: %d", blobs)
	}
	env.Must(t, http.StatusNoContent, testenv.Request{Method: "DELETE",
		Path: "/v1/apps/" + other + "/media/" + dupe.Str("media_id"), Token: dev.Token})
	env.Store().Pool.QueryRow(t.Context(), "SELECT count(*) FROM media_blobs").Scan(&blobs)
	if blobs != 3 {
		t.Errorf("blobs after deleting the last user: %d", blobs)
	}
	env.Must(t, http.StatusNotFound, testenv.Request{Method: "GET",
		Path: "/v1/apps/" + app + "/media/" + firstID, Token: dev.Token})

	// Not multipart, or no file part.
	env.Must(t, http.StatusUnsupportedMediaType, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + app + "/media", Token: dev.Token, Body: map[string]any{"a": 1}})
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("name", "x")
	mw.Close()
	env.Must(t, http.StatusBadRequest, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + app + "/media", Token: dev.Token, Body: buf.Bytes(),
		Content: mw.FormDataContentType()})
}

// pcmWAV is a silent 16-bit mono 8 kHz PCM WAV file of exactly size bytes.
func pcmWAV(size int) []byte {
	le32 := func(b []byte, v int) {
		b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	w := make([]byte, size)
	copy(w, "RIFF....WAVEfmt ")
	le32(w[4:], size-8)
	le32(w[16:], 16)
	w[20], w[22] = 1, 1 // PCM, mono
	le32(w[24:], 8000)
	le32(w[28:], 16000)
	w[32], w[34] = 2, 16 // block align, bits
	copy(w[36:], "data")
	le32(w[40:], size-44)
	return w
}

// TestMediaSizeLimit uploads prompts at the 5 MB limit: exactly 5 MB is taken, one
// byte more is refused with the size in the message and stores nothing, even when
// the request as a whole fits in what the server reads.
func TestMediaSizeLimit(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	app := createApp(t, env, dev, "IVR", "ivr", "")

	over := uploadMedia(t, env, dev, app, "over.wav", pcmWAV(5<<20+2))
	if over.Status != http.StatusRequestEntityTooLarge ||
		!strings.Contains(string(over.Body), "larger than 5 MB (5242880 bytes)") {
		t.Errorf("5 MB + 2 bytes: %d %s", over.Status, over.Body)
	}
	var rows int
	env.Store().Pool.QueryRow(t.Context(), "SELECT count(*) FROM app_media").Scan(&rows)
	if rows != 0 {
		t.Errorf("%d prompts stored after a refused upload", rows)
	}

	at := uploadMedia(t, env, dev, app, "limit.wav", pcmWAV(5<<20))
	if at.Status != http.StatusCreated || at.JSON["size_bytes"] != float64(5<<20) ||
		at.JSON["duration_ms"] != float64((5<<20-44)/16) {
		t.Errorf("exactly 5 MB: %d %s", at.Status, at.Body)
	}
}
