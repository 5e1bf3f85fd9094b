// Package gorgonnx creates a temporary graph that is compatible with backend.ComputationBackend.
package gorgonnx
