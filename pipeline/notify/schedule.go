package notify

import (
	"fmt"
	"time"
)

// Schedule is when an e-mail digest goes out: every hour at Minute past,
// or every day at Hour:Minute in Zone.
type Schedule struct {
	Every  string // "hour" or "day"
	Hour   int
	Minute int
	Zone   *time.Location
}

// Next is the first send time strictly after t.
func (s Schedule) Next(t time.Time) time.Time {
	zone := s.Zone
	if zone == nil {
		zone = time.UTC
	}
	l := t.In(zone)
	if s.Every == "hour" {
		n := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), s.Minute, 0, 0, zone)
		for !n.After(t) {
			n = n.Add(time.Hour)
		}
		return n
	}
	// Days are built from the calendar, not by adding 24 hours, so that a
	// daily digest stays at its hour across daylight-saving changes.
	for day := 0; ; day++ {
		n := time.Date(l.Year(), l.Month(), l.Day()+day, s.Hour, s.Minute, 0, 0, zone)
		if n.After(t) {
			return n
		}
	}
}

func (s Schedule) String() string {
	zone := "UTC"
	if s.Zone != nil {
		zone = s.Zone.String()
	}
	if s.Every == "hour" {
		return fmt.Sprintf("hourly at :%02d", s.Minute)
	}
	return fmt.Sprintf("daily at %02d:%02d %s", s.Hour, s.Minute, zone)
}
