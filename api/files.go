package api

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // image.DecodeConfig reads JPEG uploads
	_ "image/png"  // and PNG uploads
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/media"
	"github.com/yiyun-console/console/internal/storage"
)

func init() {
	featureMounts = append(featureMounts, (*Server).mountFiles)
}

func (s *Server) mountFiles(m mounts) {
	m.dev.Post("/files", s.handle(s.uploadFile))
	m.review.Get("/files/{id}", s.handle(s.reviewFile))
}

// multipartOverhead is what a multipart body may hold beyond the file itself: the
// boundaries and part headers.
const multipartOverhead = 64 << 10

// fileJSON is an uploaded file as the API shows it.
type fileJSON struct {
	ID          string    `json:"id"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Width       int32     `json:"width"`
	Height      int32     `json:"height"`
	CreatedAt   time.Time `json:"created_at"`
}

var errFileTooLarge = apperr.New(apperr.TooLarge,
	"the file is larger than %d MB; use a smaller JPEG or PNG image", media.MaxImageBytes>>20)

// uploadFile stores one JPEG or PNG image, sent as the multipart field "file", for the
// caller's account.
func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request) error {
	data, err := readUpload(w, r)
	if err != nil {
		return err
	}
	info, err := media.SniffImage(bytes.NewReader(data))
	if err != nil {
		var me *media.Error
		switch {
		case errors.As(err, &me) && errors.Is(err, media.ErrUnsupportedImage):
			return apperr.New(apperr.UnsupportedMedia, "%s", me.Message)
		case errors.As(err, &me):
			return apperr.Field("file", me.Message)
		}
		return err
	}
	if err := checkImageConfig(data, info); err != nil {
		return err
	}

	parts := newPartsHash()
	parts.Add("file", "", data)
	var f db.File
	ran, err := s.idempotentSum(w, r, idemRequest{Sum: parts.Sum()},
		func(q *db.Queries, _ pgxTx) (int, any, error) {
			// The content is stored only once the key is claimed, so a replay or a
			// refused reuse of the key stores nothing.
			key := storage.ContentKey(data)
			if err := s.deps.Storage.Put(r.Context(), key, data); err != nil {
				return 0, nil, err
			}
			var err error
			f, err = q.CreateFile(r.Context(), db.CreateFileParams{
				ID: ids.New(), AccountSid: caller(r.Context()).SID, StorageKey: key,
				ContentType: info.Format.ContentType(), SizeBytes: int64(len(data)),
				Width: int32(info.Width), Height: int32(info.Height),
			})
			if err != nil {
				return 0, nil, err
			}
			return http.StatusCreated, fileJSON{ID: f.ID, ContentType: f.ContentType,
				Size: f.SizeBytes, Width: f.Width, Height: f.Height, CreatedAt: f.CreatedAt}, nil
		})
	if err != nil {
		return err
	}
	if ran {
		logger(r.Context(), s.log).Info("file uploaded", "file_id", f.ID, "size", f.SizeBytes)
	}
	return nil
}

// maxImageSide is the largest width or height of an accepted image, in pixels: a
// scan of an ID card or licence needs far less, and a larger one costs memory to
// show.
const maxImageSide = 10000

// checkImageConfig reads the image configuration of data, already sniffed as
// info, with the standard decoders: an image whose configuration does not decode
// is refused as damaged, and one over maxImageSide on a side as too large.
func checkImageConfig(data []byte, info media.ImageInfo) error {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return apperr.Field("file", fmt.Sprintf(
			"the %s image is damaged: its header could not be decoded", info.Format))
	}
	if format != string(info.Format) {
		return apperr.Field("file", fmt.Sprintf(
			"the image decodes as %s but starts as %s", format, info.Format))
	}
	w, h := max(cfg.Width, info.Width), max(cfg.Height, info.Height)
	if w > maxImageSide || h > maxImageSide {
		return apperr.Field("file", fmt.Sprintf(
			"is %d×%d pixels; images may be at most %d pixels on a side", w, h, maxImageSide))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return apperr.Field("file", fmt.Sprintf("has an impossible size %d×%d", cfg.Width, cfg.Height))
	}
	return nil
}

// readUpload returns the content of the multipart field "file", refusing bodies and
// files over the image limit.
func readUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, apperr.New(apperr.UnsupportedMedia,
			"send the image as multipart/form-data in the field \"file\"")
	}
	r.Body = http.MaxBytesReader(w, r.Body, media.MaxImageBytes+multipartOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "the multipart body could not be read")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, apperr.Field("file", "is required: send the image in the field \"file\"")
		}
		if err != nil {
			return nil, uploadReadError(err)
		}
		if part.FormName() != "file" {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, media.MaxImageBytes+1))
		if err != nil {
			return nil, uploadReadError(err)
		}
		if len(data) > media.MaxImageBytes {
			return nil, errFileTooLarge
		}
		if len(data) == 0 {
			return nil, apperr.Field("file", "is empty; use a JPEG or PNG image")
		}
		return data, nil
	}
}

func uploadReadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errFileTooLarge
	}
	return apperr.New(apperr.Invalid, "the multipart body could not be read")
}

// reviewFile answers the content of an uploaded image, for the reviewer checking a
// verification.
func (s *Server) reviewFile(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if !ids.Valid(id) {
		return apperr.New(apperr.NotFound, "file not found")
	}
	// Like the full ID number, an image is shown only while its submission waits
	// for the decision.
	f, err := s.store.GetFileUnderReview(r.Context(), id)
	if err != nil {
		return db.NotFound(err, "file")
	}
	data, err := s.deps.Storage.Get(r.Context(), f.StorageKey)
	if errors.Is(err, storage.ErrNotFound) {
		return apperr.New(apperr.NotFound, "file not found")
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
	return nil
}
