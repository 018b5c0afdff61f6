module github.com/ginsession/ginsession

go 1.25.0
