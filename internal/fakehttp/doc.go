// Package fakehttp holds what the fake servers bctest and sftest share: a
// loopback listener that opens on first use, a transport that serves
// requests in memory, and the schedule that decides which calls get an
// injected fault, so that the two fakes behave alike.
//
// A fake that never opens a socket can run inside a testing/synctest bubble:
// loopback network I/O is not durably blocking, so a listener started in a
// bubble would keep the bubble's clock from ever advancing. Such a test builds
// the fake and reaches it through Transport; a test that needs a real address
// calls Listener.URL, which opens the socket then.
package fakehttp
