package answer

import "regexp"

// adviceRequest recognises questions that ask what to do with money rather
// than what the sources say. They still get the facts, never a
// recommendation.
var adviceRequest = regexp.MustCompile(`(?i)\b(` +
	`should\s+(i|we|you|one|investors?)\s+(buy|sell|short|hold|invest|get\s+in|get\s+out|bet|put\s+money|trade)` +
	`|(is|are)\s+\S+(\s+\S+)?\s+(a\s+)?(good|bad|great|smart|safe|wise|solid)\s+(buy|investment|bet|stock|trade)` +
	`|worth\s+(buying|investing|owning|holding)` +
	`|(buy|sell|short)\s+(the\s+)?(stock|shares?|equity)` +
	`|(buy|sell|short)\s+(bytedance|tiktok|nvidia|microsoft|alphabet|google|baidu|tencent)` +
	`|price\s+target|recommend(ation)?s?\b|invest\s+my|my\s+(money|portfolio|savings)` +
	`|financial\s+advice|investment\s+advice|(go|going)\s+(long|short)|undervalued|overvalued` +
	`)`)

func isAdviceRequest(q string) bool { return adviceRequest.MatchString(q) }

// NotAdvice is the line every answer to an advice request ends with.
const NotAdvice = "This is not investment advice: bytewatch reports what its sources say and makes no recommendations."
