package tfjson

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The scanner reads JSON bytes from a stream through a sliding window. It
// validates exactly what encoding/json validates (the grammar of RFC 8259,
// control characters in strings, escapes, nesting depth) and accepts what
// it accepts (invalid UTF-8 in strings, coerced to U+FFFD when a string is
// kept). It never quotes the input in its errors beyond the one offending
// byte outside a string, as encoding/json does.

// MaxDepth is the deepest nesting of arrays and objects read: the limit of
// encoding/json, so that both accept and refuse the same documents.
const MaxDepth = 10000

// syntaxError is a violation of the JSON grammar at a byte offset.
type syntaxError struct {
	msg    string
	offset int64 // bytes read up to and including the offending byte
}

func (e *syntaxError) Error() string { return e.msg }

// truncatedError: the stream ended inside the document.
type truncatedError struct{ size int64 }

func (e *truncatedError) Error() string { return "unexpected end of JSON input" }

// depthError: nesting deeper than MaxDepth.
type depthError struct{ offset int64 }

func (e *depthError) Error() string { return "nesting too deep" }

// readError: the underlying reader failed.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }

// limitError: the stream holds more than the size limit.
type limitError struct{}

func (e *limitError) Error() string { return "size limit exceeded" }

type scanner struct {
	r     io.Reader
	buf   []byte
	pos   int   // next unread byte in buf
	end   int   // end of the valid bytes in buf
	base  int64 // stream offset of buf[0]
	eof   bool  // r has no more bytes (or failed: rerr)
	rerr  error
	limit int64 // the stream may hold at most limit bytes (0: no limit)

	// Capture: while capturing, every byte consumed from capStart on is
	// kept in capture (across refills).
	capturing bool
	capStart  int
	capture   []byte

	stack []byte // container kinds of skip(): 'o' object, 'a' array
	tmp   []byte // a string's bytes when they straddle refills
}

func newScanner(r io.Reader, bufSize int, limit int64) *scanner {
	return &scanner{r: r, buf: make([]byte, bufSize), limit: limit}
}

// newMemScanner scans b, which starts at stream offset base.
func newMemScanner(b []byte, base int64) *scanner {
	return &scanner{buf: b, end: len(b), base: base, eof: true}
}

// offset is the stream offset of the next unread byte.
func (s *scanner) offset() int64 { return s.base + int64(s.pos) }

// fill reads more bytes, keeping the unread ones; it reports whether any
// unread byte is available afterwards. Errors of the reader and of the size
// limit are returned; the end of the stream is not an error.
func (s *scanner) fill() (bool, error) {
	if s.eof {
		if s.rerr != nil {
			return false, &readError{s.rerr}
		}
		return s.pos < s.end, nil
	}
	if s.capturing {
		s.capture = append(s.capture, s.buf[s.capStart:s.pos]...)
		s.capStart = 0
	}
	n := copy(s.buf, s.buf[s.pos:s.end])
	s.base += int64(s.pos)
	s.pos, s.end = 0, n
	if s.end == len(s.buf) { // a token longer than the window: grow it
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for i := 0; i < 100 && s.end < len(s.buf); i++ {
		m, err := s.r.Read(s.buf[s.end:])
		s.end += m
		if s.limit > 0 && s.base+int64(s.end) > s.limit {
			return false, &limitError{}
		}
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.rerr = err
				return false, &readError{err}
			}
			break
		}
		if m > 0 {
			break
		}
	}
	return s.pos < s.end, nil
}

// startCapture starts keeping the bytes from the next unread one on.
func (s *scanner) startCapture() {
	s.capturing = true
	s.capStart = s.pos
	s.capture = s.capture[:0]
}

// endCapture stops capturing and returns the bytes consumed since
// startCapture; the slice is only valid until the next startCapture.
func (s *scanner) endCapture() []byte {
	s.capture = append(s.capture, s.buf[s.capStart:s.pos]...)
	s.capturing = false
	return s.capture
}

// truncated is the error at the end of the stream inside the document.
func (s *scanner) truncated() error {
	return &truncatedError{size: s.base + int64(s.end)}
}

// errAt is a syntax error about the byte at the read position.
func (s *scanner) errAt(format string, a ...any) error {
	return &syntaxError{msg: fmt.Sprintf(format, a...), offset: s.offset() + 1}
}

// quoteChar quotes one offending byte the way encoding/json does.
func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	q := strconv.Quote(string([]byte{c}))
	return "'" + q[1:len(q)-1] + "'"
}

// peek skips white space and returns the next byte without consuming it;
// ok is false at the end of the stream.
func (s *scanner) peek() (c byte, ok bool, err error) {
	for {
		for s.pos < s.end {
			c = s.buf[s.pos]
			if c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
				return c, true, nil
			}
			s.pos++
		}
		more, err := s.fill()
		if err != nil {
			return 0, false, err
		}
		if !more {
			return 0, false, nil
		}
	}
}

// next is peek that treats the end of the stream as truncation.
func (s *scanner) next() (byte, error) {
	c, ok, err := s.peek()
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, s.truncated()
	}
	return c, nil
}

// ensure makes n unread bytes available if the stream has them.
func (s *scanner) ensure(n int) (bool, error) {
	for s.end-s.pos < n {
		if s.eof {
			return false, nil
		}
		if _, err := s.fill(); err != nil {
			return false, err
		}
	}
	return true, nil
}

// strStop marks the bytes that end the fast path of a string: the closing
// quote, a backslash, control characters (invalid) and non-ASCII bytes
// (checked for UTF-8 when the string is kept).
var strStop, strStopSkip [256]bool

func init() {
	for c := 0; c < 256; c++ {
		strStop[c] = c == '"' || c == '\\' || c < ' ' || c >= utf8.RuneSelf
		strStopSkip[c] = c == '"' || c == '\\' || c < ' '
	}
}

// skipString consumes a string (the read position is at its opening
// quote), validating it.
func (s *scanner) skipString() error {
	s.pos++
	for {
		buf := s.buf[s.pos:s.end]
		i := 0
		for i < len(buf) && !strStopSkip[buf[i]] {
			i++
		}
		s.pos += i
		if i == len(buf) {
			more, err := s.fill()
			if err != nil {
				return err
			}
			if !more {
				return s.truncated()
			}
			continue
		}
		switch c := buf[i]; c {
		case '"':
			s.pos++
			return nil
		case '\\':
			if err := s.escape(nil); err != nil {
				return err
			}
		default:
			return s.errAt("invalid character %s in string literal", quoteChar(c))
		}
	}
}

// escape validates the escape sequence at the read position (a backslash)
// and consumes it. It appends its decoded form to *out when out is not nil,
// as encoding/json decodes it (an invalid surrogate gives U+FFFD).
func (s *scanner) escape(out *[]byte) error {
	if ok, err := s.ensure(2); err != nil {
		return err
	} else if !ok {
		s.pos = s.end
		return s.truncated()
	}
	c := s.buf[s.pos+1]
	switch c {
	case '"', '\\', '/':
		if out != nil {
			*out = append(*out, c)
		}
		s.pos += 2
		return nil
	case 'b', 'f', 'n', 'r', 't':
		if out != nil {
			*out = append(*out, controlEscape(c))
		}
		s.pos += 2
		return nil
	case 'u':
	default:
		s.pos++
		return s.errAt("invalid character %s in string escape code", quoteChar(c))
	}
	// \uXXXX
	if _, err := s.ensure(6); err != nil {
		return err
	}
	for i := 2; i < 6; i++ {
		if s.pos+i >= s.end {
			s.pos = s.end
			return s.truncated()
		}
		if !isHex(s.buf[s.pos+i]) {
			s.pos += i
			return s.errAt("invalid character %s in \\u hexadecimal character escape", quoteChar(s.buf[s.pos]))
		}
	}
	rr := hex4(s.buf[s.pos+2 : s.pos+6])
	s.pos += 6
	if out == nil {
		return nil
	}
	if utf16.IsSurrogate(rr) {
		// A valid pair is consumed as one; anything else gives U+FFFD and
		// leaves what follows to be read on its own.
		if ok, err := s.ensure(6); err != nil {
			return err
		} else if ok && s.buf[s.pos] == '\\' && s.buf[s.pos+1] == 'u' &&
			isHex(s.buf[s.pos+2]) && isHex(s.buf[s.pos+3]) && isHex(s.buf[s.pos+4]) && isHex(s.buf[s.pos+5]) {
			if dec := utf16.DecodeRune(rr, hex4(s.buf[s.pos+2:s.pos+6])); dec != unicode.ReplacementChar {
				s.pos += 6
				*out = utf8.AppendRune(*out, dec)
				return nil
			}
		}
		rr = unicode.ReplacementChar
	}
	*out = utf8.AppendRune(*out, rr)
	return nil
}

func controlEscape(c byte) byte {
	switch c {
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	}
	return '\t'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case c <= '9':
			c -= '0'
		case c >= 'a':
			c = c - 'a' + 10
		default:
			c = c - 'A' + 10
		}
		r = r*16 + rune(c)
	}
	return r
}

// readString consumes a string (the read position is at its opening quote)
// and returns its decoded bytes, as encoding/json decodes them. The slice
// is only valid until the next read.
func (s *scanner) readString() ([]byte, error) {
	s.pos++
	// Fast path: the whole string is in the window, ASCII or valid UTF-8,
	// without escapes.
	start := s.pos
	buf := s.buf[start:s.end]
	i := 0
	for i < len(buf) {
		c := buf[i]
		if !strStop[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			break
		}
		rr, size := utf8.DecodeRune(buf[i:])
		if rr == utf8.RuneError && size == 1 {
			break // invalid, or cut by the end of the window
		}
		i += size
	}
	if i < len(buf) && buf[i] == '"' {
		s.pos = start + i + 1
		return buf[:i], nil
	}
	// Slow path: copy into tmp, decoding escapes and coercing invalid UTF-8.
	out := s.tmp[:0]
	s.pos = start
	for {
		buf := s.buf[s.pos:s.end]
		i := 0
		for i < len(buf) && !strStop[buf[i]] {
			i++
		}
		out = append(out, buf[:i]...)
		s.pos += i
		if i == len(buf) {
			more, err := s.fill()
			if err != nil {
				return nil, err
			}
			if !more {
				return nil, s.truncated()
			}
			continue
		}
		switch c := buf[i]; {
		case c == '"':
			s.pos++
			s.tmp = out
			return out, nil
		case c == '\\':
			if err := s.escape(&out); err != nil {
				return nil, err
			}
		case c < ' ':
			return nil, s.errAt("invalid character %s in string literal", quoteChar(c))
		default: // non-ASCII: decode one rune, which may straddle a refill
			if _, err := s.ensure(utf8.UTFMax); err != nil {
				return nil, err
			}
			rr, size := utf8.DecodeRune(s.buf[s.pos:s.end])
			if rr == utf8.RuneError && size <= 1 {
				rr, size = unicode.ReplacementChar, 1
			}
			// A rune cut by a quote or the end of the window is invalid
			// UTF-8 either way: DecodeRune sees the bytes that follow.
			out = utf8.AppendRune(out, rr)
			s.pos += size
		}
	}
}

// number consumes a number (the read position is at its first byte) and
// returns its text when keep is set (valid until the next read).
func (s *scanner) number(keep bool) ([]byte, error) {
	if keep {
		s.tmp = s.tmp[:0]
	}
	// states: 0 start, 1 after '-', 2 after leading 0, 3 in integer digits,
	// 4 after '.', 5 in fraction, 6 after 'e', 7 after exponent sign, 8 in
	// exponent digits.
	state := 0
	for {
		if s.pos >= s.end {
			more, err := s.fill()
			if err != nil {
				return nil, err
			}
			if !more {
				switch state {
				case 2, 3, 5, 8:
					return s.tmp, nil
				}
				return nil, s.truncated()
			}
		}
		c := s.buf[s.pos]
		next := -1
		switch state {
		case 0:
			switch {
			case c == '-':
				next = 1
			case c == '0':
				next = 2
			case '1' <= c && c <= '9':
				next = 3
			}
		case 1:
			switch {
			case c == '0':
				next = 2
			case '1' <= c && c <= '9':
				next = 3
			default:
				return nil, s.errAt("invalid character %s in numeric literal", quoteChar(c))
			}
		case 2, 3:
			switch {
			case state == 3 && '0' <= c && c <= '9':
				next = 3
			case c == '.':
				next = 4
			case c == 'e' || c == 'E':
				next = 6
			}
		case 4:
			if '0' <= c && c <= '9' {
				next = 5
			} else {
				return nil, s.errAt("invalid character %s after decimal point in numeric literal", quoteChar(c))
			}
		case 5:
			switch {
			case '0' <= c && c <= '9':
				next = 5
			case c == 'e' || c == 'E':
				next = 6
			}
		case 6:
			switch {
			case c == '+' || c == '-':
				next = 7
			case '0' <= c && c <= '9':
				next = 8
			default:
				return nil, s.errAt("invalid character %s in exponent of numeric literal", quoteChar(c))
			}
		case 7, 8:
			if '0' <= c && c <= '9' {
				next = 8
			} else if state == 7 {
				return nil, s.errAt("invalid character %s in exponent of numeric literal", quoteChar(c))
			}
		}
		if next < 0 { // the number ends before c
			return s.tmp, nil
		}
		if keep {
			s.tmp = append(s.tmp, c)
		}
		state = next
		s.pos++
	}
}

// literal consumes true, false or null (the read position is at its first
// byte).
func (s *scanner) literal(word string) error {
	for i := 0; i < len(word); i++ {
		if s.pos >= s.end {
			more, err := s.fill()
			if err != nil {
				return err
			}
			if !more {
				return s.truncated()
			}
		}
		if c := s.buf[s.pos]; c != word[i] {
			return s.errAt("invalid character %s in literal %s (expecting %s)", quoteChar(c), word, quoteChar(word[i]))
		}
		s.pos++
	}
	return nil
}

// scalar consumes a string, number or literal starting with c; it is the
// caller's job to have checked that c starts one.
func (s *scanner) skipScalar(c byte) error {
	switch c {
	case '"':
		return s.skipString()
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	_, err := s.number(false)
	return err
}

func startsValue(c byte) bool {
	switch c {
	case '{', '[', '"', 't', 'f', 'n', '-':
		return true
	}
	return '0' <= c && c <= '9'
}

// skip consumes one value, validating it, without keeping anything. depth
// is the nesting depth of the value's container.
func (s *scanner) skip(depth int) error {
	st := s.stack[:0]
	defer func() { s.stack = st[:0] }()
	for {
		// A value is expected.
		c, err := s.next()
		if err != nil {
			return err
		}
		switch {
		case c == '{' || c == '[':
			if depth+len(st)+1 > MaxDepth {
				return &depthError{offset: s.offset() + 1}
			}
			s.pos++
			c2, err := s.next()
			if err != nil {
				return err
			}
			if c == '{' {
				if c2 == '}' {
					s.pos++
					break
				}
				st = append(st, 'o')
				if err := s.objectKey(c2); err != nil {
					return err
				}
				continue
			}
			if c2 == ']' {
				s.pos++
				break
			}
			st = append(st, 'a')
			continue
		case startsValue(c):
			if err := s.skipScalar(c); err != nil {
				return err
			}
		default:
			return s.errAt("invalid character %s looking for beginning of value", quoteChar(c))
		}
		// After a value: close containers or go on to the next member.
		for {
			if len(st) == 0 {
				return nil
			}
			c, err := s.next()
			if err != nil {
				return err
			}
			top := st[len(st)-1]
			if c == ',' {
				s.pos++
				if top == 'o' {
					c2, err := s.next()
					if err != nil {
						return err
					}
					if err := s.objectKey(c2); err != nil {
						return err
					}
				}
				break
			}
			if top == 'o' && c == '}' || top == 'a' && c == ']' {
				s.pos++
				st = st[:len(st)-1]
				continue
			}
			if top == 'o' {
				return s.errAt("invalid character %s after object key:value pair", quoteChar(c))
			}
			return s.errAt("invalid character %s after array element", quoteChar(c))
		}
	}
}

// objectKey consumes an object key and its colon; c is the next byte.
func (s *scanner) objectKey(c byte) error {
	if c != '"' {
		return s.errAt("invalid character %s looking for beginning of object key string", quoteChar(c))
	}
	if err := s.skipString(); err != nil {
		return err
	}
	return s.colon()
}

func (s *scanner) colon() error {
	c, err := s.next()
	if err != nil {
		return err
	}
	if c != ':' {
		return s.errAt("invalid character %s after object key", quoteChar(c))
	}
	s.pos++
	return nil
}
