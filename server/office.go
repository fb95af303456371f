package server

import "github.com/gin-gonic/gin"

// handleOfficePage serves the street office's coverage dashboard (static/office.html).
// The page is the same for everyone; the coverage API it calls lets only office
// and admin users through, and the page says so politely to anyone else.
func (s *Server) handleOfficePage(c *gin.Context) { servePage(c, "office.html") }
