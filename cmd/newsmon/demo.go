package main

import (
	"time"

	"newsmon/cmd/internal/ingestd"
	"newsmon/pipeline/demo"
)

// startDemo serves the sample news site on loopback and adds its feed to
// the ingester's, allowing loopback for it (and only loopback is added).
func startDemo(ingc *ingestd.Settings) (*demo.Site, error) {
	site, err := demo.Start(time.Now())
	if err != nil {
		return nil, err
	}
	ingc.Feeds = append(ingc.Feeds, site.FeedURL())
	if ingc.AllowNetworks == "" {
		ingc.AllowNetworks = "loopback"
	} else {
		ingc.AllowNetworks += ",loopback"
	}
	return site, nil
}
