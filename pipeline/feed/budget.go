package feed

import (
	"bytes"
	"fmt"
)

// Work limits of one XML document, checked by a scan of its bytes before
// gofeed builds anything: gofeed keeps every element it meets (unknown
// namespaces as extension trees), so a 5 MB document of nested or
// unclosed elements took a gigabyte. Real feeds are far inside: the
// largest in the corpus has 11,000 elements (730 items) and nests 11 deep.
const (
	// MaxDepth is the deepest element nesting read.
	MaxDepth = 64
	// MaxElements is the most elements read, each attribute counting as
	// one: MaxItems items of 16.
	MaxElements = 80_000
)

// shape is what measure found of a document.
type shape struct {
	elements, depth int // elements met and deepest nesting, up to a cut
	// cut is the offset just past the last item to keep when the
	// document goes past a limit, with the items kept and a warning that
	// says why; 0 when all of it is read.
	cut   int
	items int
	why   string
	// refuse says which limit was passed before any item started.
	refuse string
}

// measure scans an XML document for its elements, their nesting and its
// item (or entry) ends, without building anything, and says where to cut
// it so that what gofeed reads stays within MaxItems, MaxElements and
// MaxDepth: after the last item that ends before a limit is passed, or
// before the first item when that one passes it. Work and memory are
// linear in the size, with nothing allocated.
func measure(text []byte) shape {
	var s shape
	depth, elements, items := 0, 0, 0
	lastEnd, lastItems := 0, 0
	itemStart := 0 // of the first item, while none has ended
	over := func(why string) shape {
		if lastEnd == 0 {
			// Keep the feed's own elements when the first item is the
			// one past a limit.
			lastEnd = itemStart
		}
		if lastEnd == 0 {
			s.refuse = why
			return s
		}
		s.cut, s.items = lastEnd, lastItems
		s.why = fmt.Sprintf("kept the first %d items: the document %s", lastItems, why)
		return s
	}
	for i := 0; i < len(text); {
		j := bytes.IndexByte(text[i:], '<')
		if j < 0 {
			break
		}
		i += j
		rest := text[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			i += skipTo(rest, "]]>")
			continue
		case bytes.HasPrefix(rest, []byte("<!--")):
			i += skipTo(rest, "-->")
			continue
		case bytes.HasPrefix(rest, []byte("<?")):
			i += skipTo(rest, "?>")
			continue
		case bytes.HasPrefix(rest, []byte("<!")):
			i += skipTo(rest, ">")
			continue
		}
		end := bytes.IndexByte(rest, '>')
		if end < 0 {
			break // an unfinished tag ends the document; the parse will say so
		}
		tag := rest[1:end]
		i += end + 1
		if len(tag) > 0 && tag[0] == '/' {
			depth = max(depth-1, 0)
			if isItemEnd(tag[1:]) {
				items++
				if items > MaxItems {
					return over(fmt.Sprintf("has more than %d items", MaxItems))
				}
				lastEnd, lastItems = i, items
			}
			continue
		}
		if len(tag) == 0 || !isNameStart(tag[0]) {
			continue // "a < b" in text; fixEntities has escaped most
		}
		if itemStart == 0 && lastEnd == 0 && isItemEnd(tagName(tag)) {
			itemStart = i - end - 1
		}
		elements += 1 + bytes.Count(tag, []byte("="))
		if elements > MaxElements {
			return over(fmt.Sprintf("has more than %d elements", MaxElements))
		}
		if tag[len(tag)-1] != '/' {
			depth++
			if depth > MaxDepth {
				return over(fmt.Sprintf("nests elements deeper than %d", MaxDepth))
			}
		}
		s.depth = max(s.depth, depth)
		s.elements = elements
	}
	s.items = items
	return s
}

// skipTo returns the length of b up to and including the first closing,
// or all of b when there is none.
func skipTo(b []byte, closing string) int {
	if k := bytes.Index(b, []byte(closing)); k >= 0 {
		return k + len(closing)
	}
	return len(b)
}

// tagName is the name at the start of a start tag's text.
func tagName(tag []byte) []byte {
	if k := bytes.IndexAny(tag, " \t\r\n/"); k >= 0 {
		return tag[:k]
	}
	return tag
}

// isItemEnd reports whether an end tag's name is item or entry, with or
// without a namespace prefix.
func isItemEnd(name []byte) bool {
	name = bytes.TrimRight(name, " \t\r\n")
	if k := bytes.IndexByte(name, ':'); k >= 0 {
		name = name[k+1:]
	}
	return string(name) == "item" || string(name) == "entry"
}

// ParseCost estimates the memory Parse of body takes at most, in bytes,
// for callers that bound what is parsed at once (ingest's memory budget):
// a few copies of the body while it is decoded and repaired, and gofeed's
// nodes for the elements it reads, at most MaxElements.
func ParseCost(body []byte) int64 {
	elements := min(bytes.Count(body, []byte("<"))+bytes.Count(body, []byte("=")), MaxElements)
	if len(body) > 0 && (body[0] == '{' || body[0] == '[') {
		elements = min(bytes.Count(body, []byte("{")), MaxElements)
	}
	return int64(len(body))*bodyCopies + int64(elements)*elementCost
}

// What the worst documents within the limits took, measured one at a time
// (bench/memory has them): 94 MB for 80,000 namespaced elements in 5 MB
// (about a kilobyte an element with the body's copies), 45 MB for 5 MB of
// HTML entities (nine bodies' worth).
const (
	bodyCopies  = 9
	elementCost = 1000
)
