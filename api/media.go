package api

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/media"
	"github.com/yiyun-console/console/internal/storage"
)

func init() {
	featureMounts = append(featureMounts, (*Server).mountMedia)
}

func (s *Server) mountMedia(m mounts) {
	m.dev.Post("/apps/{app_id}/media", s.handle(s.uploadMedia))
	m.dev.Get("/apps/{app_id}/media", s.handle(s.listMedia))
	m.dev.Get("/apps/{app_id}/media/{media_id}", s.handle(s.getMedia))
	m.dev.Get("/apps/{app_id}/media/{media_id}/content", s.handle(s.getMediaContent))
	m.dev.Delete("/apps/{app_id}/media/{media_id}", s.handle(s.deleteMedia))
}

// Limits of an upload: the prompt itself, and the multipart envelope around it.
const (
	maxMediaNameLen  = 100
	multipartSlack   = 64 << 10
	maxMediaBodySize = media.MaxAudioBytes + multipartSlack
)

var errMediaTooLarge = apperr.New(apperr.TooLarge,
	"file: the prompt is larger than 5 MB (%d bytes); shorten or compress it",
	media.MaxAudioBytes)

// mediaJSON is a prompt of an app's IVR media library.
type mediaJSON struct {
	MediaID     string    `json:"media_id"`
	AppID       string    `json:"app_id"`
	Name        string    `json:"name"`
	Format      string    `json:"format"`
	ContentType string    `json:"content_type"`
	SampleRate  int32     `json:"sample_rate"`
	DurationMS  int64     `json:"duration_ms"`
	SizeBytes   int64     `json:"size_bytes"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
}

func toMediaJSON(m db.AppMedium) mediaJSON {
	return mediaJSON{MediaID: m.ID, AppID: m.AppID, Name: m.Name, Format: m.Format,
		ContentType: m.ContentType, SampleRate: m.SampleRate, DurationMS: m.DurationMs,
		SizeBytes: m.SizeBytes, SHA256: m.ContentKey, CreatedAt: m.CreatedAt}
}

// uploadMedia stores a prompt. The content is parsed to know its format, rate and
// duration; the same content is stored once however many prompts use it.
func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request) error {
	app, err := s.callerApp(r)
	if err != nil {
		return err
	}
	name, data, sum, err := readMediaUpload(w, r)
	if err != nil {
		return err
	}
	info, err := media.ParseAudio(data)
	if err != nil {
		var me *media.Error
		if errors.As(err, &me) {
			return apperr.Field("file", me.Message)
		}
		return apperr.Field("file", "is not WAV or MP3 audio")
	}

	key := storage.ContentKey(data)
	var row db.AppMedium
	ran, err := s.idempotentSum(w, r, idemRequest{Sum: sum},
		func(q *db.Queries, _ pgxTx) (int, any, error) {
			// The blob row is written (and locked) before the file, so that a removal of
			// the last prompt using it cannot delete the file under this upload.
			if err := q.CreateMediaBlob(r.Context(), db.CreateMediaBlobParams{
				ContentKey: key, SizeBytes: int64(len(data)),
			}); err != nil {
				return 0, nil, err
			}
			if err := s.deps.Storage.Put(r.Context(), key, data); err != nil {
				return 0, nil, err
			}
			var err error
			row, err = q.CreateAppMedia(r.Context(), db.CreateAppMediaParams{
				ID: ids.New(), AppID: app.ID, AccountSid: app.AccountSid, Name: name,
				ContentKey: key, Format: string(info.Format),
				ContentType: info.Format.ContentType(), SampleRate: int32(info.SampleRate),
				DurationMs: info.Duration.Milliseconds(), SizeBytes: int64(len(data)),
			})
			return http.StatusCreated, toMediaJSON(row), err
		})
	if err != nil {
		return err
	}
	if ran {
		logger(r.Context(), s.log).Info("media uploaded", "app_id", app.ID, "media_id", row.ID,
			"format", row.Format, "size_bytes", row.SizeBytes)
	}
	return nil
}

// readMediaUpload reads the multipart parts "file" (required) and "name"
// (optional; the file name otherwise). It also returns the hash of these parts as
// sent, to which an Idempotency-Key is bound.
func readMediaUpload(w http.ResponseWriter, r *http.Request) (string, []byte,
	[sha256.Size]byte, error) {
	var none [sha256.Size]byte
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return "", nil, none, apperr.New(apperr.UnsupportedMedia,
			"the body must be multipart/form-data with the audio in the part \"file\"")
	}
	if r.ContentLength > maxMediaBodySize {
		return "", nil, none, errMediaTooLarge
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxMediaBodySize)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, none, apperr.New(apperr.Invalid, "the multipart body could not be read")
	}
	var name, fileName string
	var data []byte
	var nameSent bool
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", nil, none, multipartError(err)
		}
		switch part.FormName() {
		case "file":
			fileName = part.FileName()
			data, err = io.ReadAll(io.LimitReader(part, media.MaxAudioBytes+1))
			if err != nil {
				return "", nil, none, multipartError(err)
			}
			if len(data) > media.MaxAudioBytes {
				return "", nil, none, errMediaTooLarge
			}
		case "name":
			b, err := io.ReadAll(io.LimitReader(part, 4*maxMediaNameLen+1))
			if err != nil {
				return "", nil, none, multipartError(err)
			}
			name, nameSent = string(b), true
		}
	}
	if data == nil {
		return "", nil, none, apperr.Field("file", "is required: send the audio in the part \"file\"")
	}
	// The hash is over the parts' content, not their order or the boundary.
	parts := newPartsHash()
	parts.Add("file", fileName, data)
	if nameSent {
		parts.Add("name", "", []byte(name))
	}
	if strings.TrimSpace(name) == "" {
		name = path.Base(strings.ReplaceAll(fileName, `\`, "/"))
		if name == "." || name == "/" {
			name = ""
		}
	}
	name = strings.TrimSpace(name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return "", nil, none, apperr.Field("name", "is required: name the prompt or its file")
	case n > maxMediaNameLen:
		return "", nil, none, apperr.Field("name",
			fmt.Sprintf("must be at most %d characters", maxMediaNameLen))
	case !utf8.ValidString(name) || strings.ContainsFunc(name, isControl):
		return "", nil, none, apperr.Field("name",
			"must not contain control or invisible formatting characters")
	}
	return name, data, parts.Sum(), nil
}

func multipartError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errMediaTooLarge
	}
	return apperr.New(apperr.Invalid, "the multipart body could not be read")
}

func (s *Server) listMedia(w http.ResponseWriter, r *http.Request) error {
	app, err := s.callerApp(r)
	if err != nil {
		return err
	}
	page, err := readPage(r)
	if err != nil {
		return err
	}
	rows, err := s.store.ListAppMedia(r.Context(), db.ListAppMediaParams{
		AppID: app.ID, AccountSid: app.AccountSid, MaxRows: page.Limit + 1,
		BeforeTime: page.afterTime(), BeforeID: page.afterID(),
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, page.Limit,
		func(m db.AppMedium) (time.Time, string) { return m.CreatedAt, m.ID }, toMediaJSON))
	return nil
}

// callerMedia reads the prompt of the path, if its app belongs to the caller.
func (s *Server) callerMedia(r *http.Request) (db.AppMedium, error) {
	appID, mediaID := chi.URLParam(r, "app_id"), chi.URLParam(r, "media_id")
	if !ids.Valid(appID) || !ids.Valid(mediaID) {
		return db.AppMedium{}, apperr.New(apperr.NotFound, "media not found")
	}
	m, err := s.store.GetAppMedia(r.Context(), db.GetAppMediaParams{
		ID: mediaID, AppID: appID, AccountSid: caller(r.Context()).SID,
	})
	return m, db.NotFound(err, "media")
}

func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) error {
	m, err := s.callerMedia(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toMediaJSON(m))
	return nil
}

func (s *Server) getMediaContent(w http.ResponseWriter, r *http.Request) error {
	m, err := s.callerMedia(r)
	if err != nil {
		return err
	}
	data, err := s.deps.Storage.Get(r.Context(), m.ContentKey)
	if err != nil {
		return fmt.Errorf("reading media %s: %w", m.ID, err)
	}
	ext := ".wav"
	if m.ContentType == "audio/mpeg" {
		ext = ".mp3"
	}
	w.Header().Set("Content-Type", m.ContentType)
	w.Header().Set("Content-Disposition",
		mime.FormatMediaType("attachment", map[string]string{"filename": m.ID + ext}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
	return nil
}

// deleteMedia removes a prompt, and its content when no other prompt uses it.
func (s *Server) deleteMedia(w http.ResponseWriter, r *http.Request) error {
	m, err := s.callerMedia(r)
	if err != nil {
		return err
	}
	err = s.store.InTx(r.Context(), func(q *db.Queries, _ pgxTx) error {
		key, err := q.DeleteAppMedia(r.Context(), db.DeleteAppMediaParams{
			ID: m.ID, AppID: m.AppID, AccountSid: m.AccountSid,
		})
		if err != nil {
			return db.NotFound(err, "media")
		}
		n, err := q.DeleteMediaBlobIfUnused(r.Context(), key)
		if err != nil || n == 0 {
			return err
		}
		return s.deps.Storage.Delete(r.Context(), key)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
