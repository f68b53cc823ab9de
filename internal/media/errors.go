package media

import "errors"

// The reasons a file is refused. Every *Error unwraps to exactly one of them.
var (
	// ErrUnsupportedImage is a file that is not a JPEG or PNG image.
	ErrUnsupportedImage = errors.New("unsupported image format")
	// ErrCorruptImage is a JPEG or PNG whose header is damaged or cut off.
	ErrCorruptImage = errors.New("corrupt image")

	// ErrNotAudio is a file that is not recognisable audio at all.
	ErrNotAudio = errors.New("not audio")
	// ErrUnsupportedEncoding is audio in a container or encoding not accepted.
	ErrUnsupportedEncoding = errors.New("unsupported audio encoding")
	// ErrStereo is audio with more than one channel.
	ErrStereo = errors.New("audio is not mono")
	// ErrSampleRate is WAV audio at a sample rate other than 8000 or 16000 Hz.
	ErrSampleRate = errors.New("unsupported sample rate")
	// ErrTruncated is audio whose header or samples are cut off.
	ErrTruncated = errors.New("truncated audio")
	// ErrCorruptAudio is a WAV or MP3 whose structure is inconsistent.
	ErrCorruptAudio = errors.New("corrupt audio")
)

// Error is why a file was refused. Its message is meant for the person who
// uploaded the file; Reason tells callers the category.
type Error struct {
	// Reason is one of the Err sentinels of this package.
	Reason error
	// Kind names the detected kind of file ("GIF", "GSM 06.10"), when known.
	Kind string
	// Message is a sentence that says what is wrong and, if possible, what to do.
	Message string
}

// Error returns the message for the uploader.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the reason, so that errors.Is(err, ErrStereo) works.
func (e *Error) Unwrap() error { return e.Reason }

// refuse builds an *Error without a detected kind.
func refuse(reason error, message string) *Error {
	return &Error{Reason: reason, Message: message}
}
