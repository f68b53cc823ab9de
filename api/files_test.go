package api_test

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yiyun-console/console/internal/storage"
	"github.com/yiyun-console/console/internal/testenv"
)

// testImage is a small picture with some detail, so that encoders have work to do.
func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := 0; x < 40; x++ {
		for y := 0; y < 30; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 6), uint8(y * 8), 90, 255})
		}
	}
	return img
}

func pngBytes(t testing.TB) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t testing.TB) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gifBytes(t testing.TB) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload sends data as the multipart field "file" named filename.
func upload(t testing.TB, env *testenv.Env, token, filename string, data []byte) testenv.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return env.Do(t, req{Method: "POST", Path: "/v1/files", Token: token, Body: body.Bytes(),
		Content: mw.FormDataContentType()})
}

// uploadID uploads a picture and returns its file ID.
func uploadID(t testing.TB, env *testenv.Env, token string) string {
	t.Helper()
	r := upload(t, env, token, "id.jpg", jpegBytes(t))
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	return r.Str("id")
}

func TestUploadFiles(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)

	// A JPEG, and a PNG named .jpg, are accepted by their content.
	jp := jpegBytes(t)
	r := upload(t, env, dev.Token, "front.jpg", jp)
	if r.Status != http.StatusCreated || r.Str("content_type") != "image/jpeg" ||
		r.JSON["width"] != 40.0 || r.JSON["height"] != 30.0 || r.JSON["size"] != float64(len(jp)) {
		t.Fatalf("jpeg: %d %s", r.Status, r.Body)
	}
	pn := pngBytes(t)
	r = upload(t, env, dev.Token, "renamed.jpg", pn)
	if r.Status != http.StatusCreated || r.Str("content_type") != "image/png" {
		t.Fatalf("png named .jpg: %d %s", r.Status, r.Body)
	}

	r2id := r.Str("id")

	// The file is kept in the default storage under DATA_DIR, by its content.
	key := storage.ContentKey(pn)
	stored, err := os.ReadFile(filepath.Join(env.Config.DataDir, "files", key[:2], key[2:4], key))
	if err != nil || !bytes.Equal(stored, pn) {
		t.Fatalf("stored file: %v", err)
	}
	var owner string
	if err := env.Store().Pool.QueryRow(t.Context(),
		"SELECT account_sid FROM files WHERE id = $1", r.Str("id")).Scan(&owner); err != nil ||
		owner != dev.SID {
		t.Errorf("owner %q, %v; want %q", owner, err, dev.SID)
	}

	// A GIF named .jpg is refused, naming what it is; so is text and a 6 MB image.
	r = upload(t, env, dev.Token, "photo.jpg", gifBytes(t))
	if r.Status != http.StatusUnsupportedMediaType || !strings.Contains(string(r.Body), "GIF") {
		t.Errorf("gif: %d %s", r.Status, r.Body)
	}
	r = upload(t, env, dev.Token, "notes.png", []byte("hello, this is not a picture at all"))
	if r.Status != http.StatusUnsupportedMediaType {
		t.Errorf("text: %d %s", r.Status, r.Body)
	}
	big := append(bytes.Clone(pn), make([]byte, 6<<20)...)
	r = upload(t, env, dev.Token, "big.png", big)
	if r.Status != http.StatusRequestEntityTooLarge || r.ErrorCode() != "payload_too_large" {
		t.Errorf("6 MB: %d %s", r.Status, r.Body)
	}
	// A cut-off PNG, an empty file, a missing field and a JSON body are refused.
	r = upload(t, env, dev.Token, "cut.png", pn[:20])
	if r.Status != http.StatusBadRequest {
		t.Errorf("cut-off png: %d %s", r.Status, r.Body)
	}
	r = upload(t, env, dev.Token, "empty.png", nil)
	if r.Status != http.StatusBadRequest {
		t.Errorf("empty: %d %s", r.Status, r.Body)
	}
	r = env.Do(t, req{Method: "POST", Path: "/v1/files", Token: dev.Token, Body: map[string]any{}})
	if r.Status != http.StatusUnsupportedMediaType {
		t.Errorf("json body: %d %s", r.Status, r.Body)
	}
	var n int
	env.Store().Pool.QueryRow(t.Context(), "SELECT count(*) FROM files").Scan(&n)
	if n != 2 {
		t.Errorf("%d files stored, want 2", n)
	}

	// Reviewers see the image as it was uploaded, and only while its submission waits
	// for the decision; developers do not use this route.
	reviewer := env.Staff(t, "reviewer")
	env.Must(t, http.StatusNotFound, req{Method: "GET", Path: "/v1/review/files/" + r2id,
		Token: reviewer.Token})
	sub := personalBody(t, env, dev)
	sub["id_back_file"] = r2id
	v := env.Must(t, http.StatusCreated, req{Method: "POST", Path: "/v1/verifications",
		Token: dev.Token, Body: sub})
	img := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/review/files/" + r2id,
		Token: reviewer.Token})
	if !bytes.Equal(img.Body, pn) || img.Header.Get("Content-Type") != "image/png" {
		t.Errorf("reviewer's image: %d bytes, %q", len(img.Body), img.Header.Get("Content-Type"))
	}
	env.Must(t, http.StatusForbidden, req{Method: "GET", Path: "/v1/review/files/" + r2id,
		Token: dev.Token})
	env.Must(t, http.StatusNotFound, req{Method: "GET",
		Path: "/v1/review/files/" + strings.Repeat("0", 32), Token: reviewer.Token})
	decide(t, env, reviewer, v.Str("id"), http.StatusOK, "approve", "")
	env.Must(t, http.StatusNotFound, req{Method: "GET", Path: "/v1/review/files/" + r2id,
		Token: reviewer.Token})

	// Staff do not upload; nobody signed out does.
	op := env.Staff(t, "operator")
	if r := upload(t, env, op.Token, "a.png", pn); r.Status != http.StatusForbidden {
		t.Errorf("operator upload: %d", r.Status)
	}
	if r := upload(t, env, "", "a.png", pn); r.Status != http.StatusUnauthorized {
		t.Errorf("anonymous upload: %d", r.Status)
	}
}
