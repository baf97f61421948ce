package answer

import (
	"regexp"
	"strings"

	"github.com/bytewatch/bytewatch/internal/advice"
)

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
	`|load(ing)?\s+up\s+on|pil(e|ing)\s+in(to)?|stay\s+away\s+from|bullish|bearish|worth\s+shorting` +
	`|(would|should)\s+(you|u)\s+(back|buy|pick)` +
	`|(is|are)\s+\S+(\s+\S+)?\s+an?\s+(buy|sell|hold|long|short)\b` +
	`|\b(long|short)\s+\$?[a-z]{2,5}\s+(bc|because|since|cuz|if)\b` +
	`|(dump|ditch|offload|trim)\s+(anything|everything|my|our|some|all)\b` +
	`|worth\s+(betting|a\s+bet|the\s+risk|getting|it\b)` +
	`|(get|getting|gain|gaining|want|buy)\s+(some\s+)?exposure` +
	`|reason\s+to\s+(buy|sell|stay\s+away|avoid|get\s+out|bail)` +
	`|(put|putting)\s+(my\s+|our\s+|your\s+)?money\s+(in|into|on)\b` +
	`|(pre-?ipo|secondary)\s+(shares|stock|market)` +
	// Traders' shorthand: "load up nvda calls", "msft a buy or nah",
	// "worth yoloing into", "puts a good play", "risky hold", "add now or
	// wait it out", "should i be worried".
	`|load(ing)?\s+up\b|\b(yolo|yoloing|ape|aping)\b|\b(calls|puts)\b.{0,30}\b(play|good|bad|worth|smart)\b` +
	`|\b(buy(ing)?|grab(bing)?|load(ing)?)\s+(\S+\s+)?(calls|puts|leaps)\b` +
	`|\b(a|an)\s+(buy|sell|hold)(\s|$|[?,.!])|\b(good|bad|better|best|smart|safe|risky)\s+(play|plays|trade|entry|hold|bet)\b` +
	`|\b(underpriced|overpriced)\b|worth\s+[a-z]+ing\s+(into|in|on)\b|\b(add|buy)\s+(now|here|more)\b|wait\s+it\s+out|buy\s+the\s+dip` +
	`|should\s+(i|we)\s+(be\s+)?(worried|concerned|nervous|scared)|which\s+(one\s+)?(do|should)\s+(i|we)\s+(hold|buy|own|pick|get)` +
	`|\b(sell|dump|buy)\s+(my|our)\b|reason\s+to\s+get\b` +
	`|\b(overweight|underweight|size\s+up|sizing\s+up|trim|add\s+to\s+my)\b|\bbuy\s+into\b|better\s+(bet|buy|play)|taking\s+exposure` +
	`)`)

func isAdviceRequest(q string) bool {
	return (adviceRequest.MatchString(q) || chineseAdvice.MatchString(q)) && !accessQuestion.MatchString(q)
}

// chineseAdvice is adviceRequest in Chinese, where words have no spaces
// (and no \b) between them: should I buy, is it worth it, add to or cut a
// position, buy the dip, hold, concept stocks.
var chineseAdvice = regexp.MustCompile(`应该买|應該買|应不应该|應不應該|应唔应该|應唔應該|值唔值得|值不值得|值得买|值得買|建议买|建議買|加仓|加倉|减仓|減倉|抄底|揸|止蚀|止蝕|止损|止損|概念股`)

// accessQuestion finds a question asking how or whether one can buy at all
// — "how do i buy bytedance shares", "can i buy it on robinhood" — which
// asks for a fact the sources may not have, not for a recommendation.
var accessQuestion = regexp.MustCompile(`(?i)\b(how|where)\s+(do|can|could|would|does|should)\s+(i|we|you|one|u|people|someone)\s+(even\s+|actually\s+)?(buy|get|purchase|access|trade)\b|\b(can|could)\s+(i|we|you|u|one)\s+(even\s+|actually\s+)?(buy|get|purchase|trade)\b`)

// NotAdvice is the line every answer to an advice request ends with.
const NotAdvice = "This is not investment advice: bytewatch reports what its sources say and makes no recommendations."

// Recommends reports whether text tells the reader to buy, sell or hold,
// names a price target or calls something a good investment, and returns
// the first phrase that does (see advice.Recommends); NotAdvice itself is
// not advice.
func Recommends(text string) (string, bool) {
	return advice.Recommends(strings.ReplaceAll(text, NotAdvice, ""))
}

// Withheld is what a reader gets instead of an answer whose sources read as
// investment advice: only a knowledge statement can make an extractive
// answer do that, and a moderator must fix it.
const Withheld = "bytewatch is not showing this answer: a source it would quote reads as investment advice, which bytewatch never gives. This has been logged for the moderators."
