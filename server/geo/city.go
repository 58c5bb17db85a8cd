package geo

// cityPinyin gives the English (pinyin) names DisplayEN uses for the cities
// that send most visitors: every provincial capital, the sub-provincial
// cities and the larger prefecture-level cities. Cities not listed are left
// out of the English display rather than guessed (polyphonic characters make
// a per-character transliteration wrong, e.g. 重庆 is Chongqing). Keys are
// short names as Region.City holds them; a test checks each is in the data.
var cityPinyin = map[string]string{
	// 华北
	"北京": "Beijing", "天津": "Tianjin",
	"石家庄": "Shijiazhuang", "唐山": "Tangshan", "保定": "Baoding", "邯郸": "Handan", "廊坊": "Langfang",
	"沧州": "Cangzhou", "秦皇岛": "Qinhuangdao", "张家口": "Zhangjiakou", "邢台": "Xingtai",
	"太原": "Taiyuan", "大同": "Datong", "长治": "Changzhi", "运城": "Yuncheng",
	"呼和浩特": "Hohhot", "包头": "Baotou", "鄂尔多斯": "Ordos", "赤峰": "Chifeng",
	// 东北
	"沈阳": "Shenyang", "大连": "Dalian", "鞍山": "Anshan", "锦州": "Jinzhou",
	"长春": "Changchun", "吉林": "Jilin",
	"哈尔滨": "Harbin", "大庆": "Daqing", "齐齐哈尔": "Qiqihar", "牡丹江": "Mudanjiang",
	// 华东
	"上海": "Shanghai",
	"南京": "Nanjing", "苏州": "Suzhou", "无锡": "Wuxi", "常州": "Changzhou", "南通": "Nantong",
	"徐州": "Xuzhou", "扬州": "Yangzhou", "盐城": "Yancheng", "泰州": "Taizhou", "镇江": "Zhenjiang",
	"连云港": "Lianyungang", "淮安": "Huai'an", "宿迁": "Suqian",
	"杭州": "Hangzhou", "宁波": "Ningbo", "温州": "Wenzhou", "嘉兴": "Jiaxing", "绍兴": "Shaoxing",
	"金华": "Jinhua", "台州": "Taizhou", "湖州": "Huzhou", "丽水": "Lishui", "舟山": "Zhoushan", "衢州": "Quzhou",
	"合肥": "Hefei", "芜湖": "Wuhu", "蚌埠": "Bengbu", "安庆": "Anqing", "阜阳": "Fuyang", "六安": "Lu'an",
	"福州": "Fuzhou", "厦门": "Xiamen", "泉州": "Quanzhou", "漳州": "Zhangzhou", "莆田": "Putian",
	"南昌": "Nanchang", "赣州": "Ganzhou", "九江": "Jiujiang", "上饶": "Shangrao",
	"济南": "Jinan", "青岛": "Qingdao", "烟台": "Yantai", "潍坊": "Weifang", "临沂": "Linyi",
	"淄博": "Zibo", "济宁": "Jining", "威海": "Weihai", "泰安": "Tai'an",
	// 华中
	"郑州": "Zhengzhou", "洛阳": "Luoyang", "南阳": "Nanyang", "新乡": "Xinxiang", "焦作": "Jiaozuo",
	"开封": "Kaifeng", "商丘": "Shangqiu", "周口": "Zhoukou", "许昌": "Xuchang", "安阳": "Anyang",
	"武汉": "Wuhan", "宜昌": "Yichang", "襄阳": "Xiangyang", "荆州": "Jingzhou", "十堰": "Shiyan",
	"长沙": "Changsha", "株洲": "Zhuzhou", "湘潭": "Xiangtan", "衡阳": "Hengyang", "岳阳": "Yueyang", "常德": "Changde",
	// 华南
	"广州": "Guangzhou", "深圳": "Shenzhen", "东莞": "Dongguan", "佛山": "Foshan", "珠海": "Zhuhai",
	"中山": "Zhongshan", "惠州": "Huizhou", "江门": "Jiangmen", "汕头": "Shantou", "湛江": "Zhanjiang",
	"茂名": "Maoming", "肇庆": "Zhaoqing", "揭阳": "Jieyang", "清远": "Qingyuan", "韶关": "Shaoguan", "梅州": "Meizhou",
	"南宁": "Nanning", "柳州": "Liuzhou", "桂林": "Guilin", "北海": "Beihai",
	"海口": "Haikou", "三亚": "Sanya",
	// 西南
	"重庆": "Chongqing",
	"成都": "Chengdu", "绵阳": "Mianyang", "宜宾": "Yibin", "南充": "Nanchong", "泸州": "Luzhou", "德阳": "Deyang",
	"贵阳": "Guiyang", "遵义": "Zunyi",
	"昆明": "Kunming", "曲靖": "Qujing", "大理": "Dali",
	"拉萨": "Lhasa",
	// 西北
	"西安": "Xi'an", "咸阳": "Xianyang", "宝鸡": "Baoji", "榆林": "Yulin",
	"兰州": "Lanzhou", "天水": "Tianshui",
	"西宁": "Xining", "银川": "Yinchuan", "乌鲁木齐": "Urumqi", "克拉玛依": "Karamay",
	// 港澳台
	"台北": "Taipei", "新北": "New Taipei", "台中": "Taichung", "台南": "Tainan", "高雄": "Kaohsiung", "桃园": "Taoyuan",
}
