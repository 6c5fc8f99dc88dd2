-- Zhejiang fine tiers (浙江省公路条例 2020, Art. 53), per weighing.
-- r.gross_kg, r.limit_kg, r.over_pct come from the rule's values.
-- Below 20 % over the limit: education, no fine. The tonnes between 20 %
-- and 50 % over: 300 yuan each. The tonnes above 50 % over: 500 yuan each.
-- At most 30 000 yuan.
function fine(r)
  local limit_t = r.limit_kg / 1000
  local pct = r.over_pct
  if pct < 20 then return 0 end
  local band = (math.min(pct, 50) - 20) / 100 * limit_t
  local above = math.max(pct - 50, 0) / 100 * limit_t
  local yuan = band * 300 + above * 500
  return math.min(math.floor(yuan + 0.5), 30000)
end
