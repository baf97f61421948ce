package llm

import "time"

// SetBackoffBase shortens the backoff between retries so tests run fast.
func SetBackoffBase(c *Client, d time.Duration) { c.backoffBase = d }
