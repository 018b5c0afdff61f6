// Package e2e tests ginsession against third-party clients and libraries it
// must work with but its users should not have to download: WebSocket
// upgrades with gorilla/websocket and coder/websocket, through a real
// gin.Engine, a real listener and each library's own client; and the example
// site (../example_app, built and started as its own process) in headless
// Chromium through chromedp, its Devices page with three browsers included. It is a module of its own so these stay out of
// ginsession's go.mod.
package e2e
