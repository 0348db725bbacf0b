/**
 * Questions no knowledge base is meant to answer, for measuring what an off-topic question scores in a workspace
 * (see `calibrateRelevance`). They are phrased as users phrase questions — question words, everyday length, half in
 * Chinese and half in English as Zhiku's users ask — so they share with real questions everything but the topic.
 * The topics (weather on Mars, boiled eggs, goldfish names, violins, penguins, …) are spread wide on purpose: a
 * workspace that does cover one or two of them moves the robust statistics the cut-off is derived from very little.
 * Changing this list changes every workspace's calibration at its next refresh.
 */
export const PROBE_QUESTIONS: readonly string[] = [
  "What will the weather be like on Mars tomorrow?",
  "How long should I boil an egg for a soft yolk?",
  "Who won the last football world cup final?",
  "What is a good name for a pet goldfish?",
  "How do I knit a scarf as a beginner?",
  "Which planets can be seen with the naked eye tonight?",
  "What rhymes with orange in a poem?",
  "How tall do sunflowers grow in a garden?",
  "What time does the bakery open on Sunday?",
  "How many strings does a violin have?",
  "Where do emperor penguins spend the winter?",
  "Which song is good for a first wedding dance?",
  "How do I get a red wine stain out of a carpet?",
  "What colour is a ripe mango?",
  "How far can a kangaroo jump?",
  "Why do cats purr when they are happy?",
  "明天火星上的天气怎么样？",
  "煮一个溏心蛋需要几分钟？",
  "上一届世界杯决赛是谁赢了？",
  "给金鱼起个什么名字好？",
  "初学者怎么织围巾？",
  "今晚肉眼能看到哪些行星？",
  "向日葵在花园里能长多高？",
  "周日面包店几点开门？",
  "小提琴有几根弦？",
  "帝企鹅冬天在哪里过冬？",
  "婚礼上第一支舞适合放什么歌？",
  "地毯上的红酒渍怎么去除？",
  "熟透的芒果是什么颜色？",
  "袋鼠一次能跳多远？",
  "端午节为什么要吃粽子？",
  "熊猫每天要吃多少竹子？",
];
