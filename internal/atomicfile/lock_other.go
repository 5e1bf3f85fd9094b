//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package atomicfile

import "os"

// canLock says that this system offers no advisory lock that dies with its
// process, so a live writer's temporary file cannot be told from a dead
// one's, and Write leaves leftovers alone.
const canLock = false

func lock(*os.File) error { return nil }

func tryLock(*os.File) (bool, error) { return false, nil }
