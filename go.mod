module github.com/sep-platform/sep

go 1.26
