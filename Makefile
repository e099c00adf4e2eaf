# Every target runs with the project's own Node 24 (the `node` npm package).
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/.tools/bin:$(PATH)
SHELL := /bin/bash

.PHONY: install generate build lint test up

install:
	npm ci --allow-scripts

generate:
	buf generate

build:
	tsc -p tsconfig.build.json
