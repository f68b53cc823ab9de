package media

import "bytes"

// audioKind is a recognised audio format that is not accepted.
type audioKind struct {
	name    string
	matches func(b []byte) bool
}

// refusedAudioKinds are the formats named in refusals, most specific first.
var refusedAudioKinds = []audioKind{
	{"Ogg (Vorbis or Opus)", prefix("OggS")},
	{"FLAC", prefix("fLaC")},
	{"AMR-WB", prefix("#!AMR-WB\n")},
	{"AMR", prefix("#!AMR\n")},
	{"SILK", prefix("#!SILK", "\x02#!SILK")},
	{"AIFF", func(b []byte) bool {
		return len(b) >= 12 && string(b[:4]) == "FORM" &&
			(string(b[8:12]) == "AIFF" || string(b[8:12]) == "AIFC")
	}},
	{"Sun AU", prefix(".snd")},
	{"big-endian WAV (RIFX)", prefix("RIFX")},
	{"RF64 WAV", prefix("RF64")},
	{"Core Audio (CAF)", prefix("caff")},
	{"WMA", prefix("\x30\x26\xb2\x75\x8e\x66\xcf\x11")},
	{"AAC (ADTS)", isADTS},
	{"MPEG-4 (M4A or 3GP)", ftypBrand("M4A ", "M4B ", "mp41", "mp42", "isom", "3gp4",
		"3gp5", "3gp6", "dash")},
	{"raw GSM 06.10", isRawGSM},
}

// unrecognisedAudio names the kind of a file that is neither WAV nor MP3.
func unrecognisedAudio(b []byte) *Error {
	for _, k := range refusedAudioKinds {
		if k.matches(b) {
			return unsupportedAudio(k.name)
		}
	}
	if looksLikeText(b[:min(len(b), sniffLen)]) {
		return &Error{Reason: ErrNotAudio, Kind: "text",
			Message: "the file is text, not audio; use WAV or MP3"}
	}
	return refuse(ErrNotAudio, "the file is not WAV or MP3 audio")
}

// isADTS matches AAC in ADTS frames: the MPEG sync word with layer bits 00.
func isADTS(b []byte) bool {
	return len(b) >= 2 && b[0] == 0xff && b[1]&0xf6 == 0xf0
}

// gsmFrameLen is the size of one 20 ms frame of raw GSM 06.10.
const gsmFrameLen = 33

// isRawGSM matches headerless GSM 06.10 (".gsm" files): whole 33-byte frames,
// each starting with the 0xD signature nibble. Four frames or more are needed,
// so that random data passes with a chance below 1 in 65536.
func isRawGSM(b []byte) bool {
	if len(b) < 4*gsmFrameLen || len(b)%gsmFrameLen != 0 {
		return false
	}
	for i := 0; i < len(b); i += gsmFrameLen {
		if b[i]&0xf0 != 0xd0 {
			return false
		}
	}
	return true
}

// isZero reports whether b holds only zero bytes.
func isZero(b []byte) bool {
	return len(bytes.Trim(b, "\x00")) == 0
}
