package filestore

// CrossProcess reports whether the store's locks hold between processes on
// this platform.
const CrossProcess = crossProcess

// SetSwapped makes f run in CompareAndSwap and CompareAndDelete between the
// compare and the write, with the record locked.
func SetSwapped(s *Store, f func()) { s.swapped = f }
