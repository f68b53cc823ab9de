package phone

// areaRegions maps common area codes to the city or province they serve. It
// is not complete: a landline with an unknown code is still valid.
var areaRegions = map[string]string{
	"010": "北京", "021": "上海", "022": "天津", "023": "重庆",
	"020": "广州", "024": "沈阳", "025": "南京", "027": "武汉",
	"028": "成都", "029": "西安",

	"0311": "石家庄", "0312": "保定", "0315": "唐山", "0351": "太原",
	"0371": "郑州", "0379": "洛阳", "0411": "大连", "0431": "长春",
	"0451": "哈尔滨", "0471": "呼和浩特", "0510": "无锡", "0512": "苏州",
	"0513": "南通", "0516": "徐州", "0519": "常州", "0531": "济南",
	"0532": "青岛", "0535": "烟台", "0536": "潍坊", "0551": "合肥",
	"0571": "杭州", "0573": "嘉兴", "0574": "宁波", "0575": "绍兴",
	"0577": "温州", "0579": "金华", "0591": "福州", "0592": "厦门",
	"0595": "泉州", "0710": "襄阳", "0717": "宜昌", "0731": "长沙",
	"0754": "汕头", "0755": "深圳", "0756": "珠海", "0757": "佛山",
	"0760": "中山", "0769": "东莞", "0771": "南宁", "0772": "柳州",
	"0773": "桂林", "0791": "南昌", "0851": "贵阳", "0871": "昆明",
	"0891": "拉萨", "0898": "海南", "0931": "兰州", "0951": "银川",
	"0971": "西宁", "0991": "乌鲁木齐",
}

// RegionForAreaCode returns the city or province served by an area code,
// written with or without its trunk 0 ("0755" or "755"), or "" when the code
// is not in the table.
func RegionForAreaCode(code string) string {
	if code != "" && code[0] != '0' {
		code = "0" + code
	}
	return areaRegions[code]
}
