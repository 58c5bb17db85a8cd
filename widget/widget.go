// Package widget holds the visitor side of kefu: the embed script customers put on their
// pages, the chat window, and the demo site. They are plain files (no build step) embedded
// into the binary; PROTOCOL.md in this folder describes how they talk to the server.
package widget

import "embed"

// Files holds the visitor-facing assets, served at the paths of PROTOCOL.md:
// widget.js (GET /widget.js), chat.html (GET /chat), chat.js, chat.css and demo.css
// (GET /static/…), and demo.html (GET /).
//
//go:embed widget.js chat.html chat.js chat.css demo.html demo.css
var Files embed.FS
