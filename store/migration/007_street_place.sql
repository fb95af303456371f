-- A street is data (issue 11): its English name, city, district, time zone, country
-- and the pattern its listings' phone numbers follow come from `doorstep import
-- street`, never from the pages.
ALTER TABLE street ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
ALTER TABLE street ADD COLUMN city TEXT NOT NULL DEFAULT '';
ALTER TABLE street ADD COLUMN district TEXT NOT NULL DEFAULT '';
ALTER TABLE street ADD COLUMN timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai';
ALTER TABLE street ADD COLUMN country TEXT NOT NULL DEFAULT 'CN';
ALTER TABLE street ADD COLUMN phone_pattern TEXT NOT NULL DEFAULT '';

-- The sample street loaded before these columns existed.
UPDATE street SET name_en = 'Liangcheng Xincun Street', city = '上海市', district = '虹口区'
	WHERE sample = 1 AND name = '凉城新村街道';
