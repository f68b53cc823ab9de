// Package media checks uploaded files by their content, never by their name:
// identity-card and licence images (JPEG or PNG) and IVR prompts (WAV or MP3).
//
// The checks read only what they must to tell a good file from a bad one. They
// do not decode pixels or samples, so a file that passes is well formed at the
// container level, not proven playable to its last byte.
//
// The rules for prompts:
//
//   - WAV: PCM (16-bit signed or 8-bit unsigned), A-law or µ-law, also inside
//     WAVE_FORMAT_EXTENSIBLE; 8000 or 16000 Hz; mono. These are the encodings a
//     media server plays on a phone line without resampling.
//   - MP3: MPEG-1, MPEG-2 or MPEG-2.5 layer III, mono, at any MPEG sample rate,
//     since an MP3 is decoded and resampled before it is played anyway.
//   - A file whose audio is cut short is refused: a WAV whose data chunk declares
//     more bytes than the file holds, or an MP3 whose last frame is incomplete.
//     A prompt that stops early would be played cut off to every caller.
//
// Size limits are the caller's: read at most MaxImageBytes or MaxAudioBytes
// (plus one byte, to tell "too large" from "exactly the limit").
//
// Every refusal is an *Error whose Reason is one of the Err sentinels, so that
// callers can branch with errors.Is and show Error's message as it is.
package media
