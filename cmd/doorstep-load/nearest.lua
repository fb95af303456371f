-- wrk script of doorstep-load: nearest-10 lookups at random points of a box.
-- wrk -s nearest.lua URL -- MINLON MINLAT MAXLON MAXLAT
local minlon, minlat, maxlon, maxlat = 121.45, 31.28, 121.48, 31.30

function init(args)
  if #args == 4 then
    minlon, minlat, maxlon, maxlat = tonumber(args[1]), tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
  end
  math.randomseed(os.time() + (wrk.thread and wrk.thread:get("id") or 0))
end

function request()
  local lon = minlon + math.random() * (maxlon - minlon)
  local lat = minlat + math.random() * (maxlat - minlat)
  return wrk.format("GET", string.format("/api/services?limit=10&lon=%.6f&lat=%.6f", lon, lat))
end
-- wrk counts answers other than 2xx/3xx itself ("Non-2xx or 3xx responses").
