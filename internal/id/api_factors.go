package id

func (h *Handler) registerFactorsAPI() {}
