package server

import "github.com/gin-gonic/gin"

// The portal's pages. Each is the same for everyone; their Content-Security-Policy
// and the other security headers come from secureHeaders, as for every answer.

// handleIndexPage serves the residents' map.
func (s *Server) handleIndexPage(c *gin.Context) { servePage(c, "index.html") }

// handleStaffPage serves the staff editor; its API needs a staff sign-in.
func (s *Server) handleStaffPage(c *gin.Context) { servePage(c, "staff.html") }

// handleOfficePage serves the street office's coverage dashboard. The coverage API
// it calls lets only office and admin users through, and the page says so politely
// to anyone else.
func (s *Server) handleOfficePage(c *gin.Context) { servePage(c, "office.html") }

// handleSuggestPage serves the residents' suggestion form, which also follows a
// suggestion by the private token in its link's fragment.
func (s *Server) handleSuggestPage(c *gin.Context) { servePage(c, "suggest.html") }
